import * as df from "durable-functions";
import { connectionCleanupOrchestration } from "../src/workflow/connection-cleanup.orchestration";
import { OrchestrationNames } from "../src/workflow/names";

df.app.orchestration(OrchestrationNames.connectionCleanup, function* (context) {
  return yield* connectionCleanupOrchestration(context);
});
