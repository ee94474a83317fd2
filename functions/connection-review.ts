import * as df from "durable-functions";
import { connectionReviewOrchestration } from "../src/workflow/connection-review.orchestration";
import { OrchestrationNames } from "../src/workflow/names";

df.app.orchestration(OrchestrationNames.connectionReview, function* (context) {
  return yield* connectionReviewOrchestration(context);
});
