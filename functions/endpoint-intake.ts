import * as df from "durable-functions";
import { reviewInstanceId } from "../src/app/instance-ids";
import { createEndpointIntakeOrchestration } from "../src/workflow/endpoint-intake.orchestration";
import { OrchestrationNames } from "../src/workflow/names";

const endpointIntake = createEndpointIntakeOrchestration(reviewInstanceId);

df.app.orchestration(OrchestrationNames.endpointIntake, function* (context) {
  return yield* endpointIntake(context);
});
