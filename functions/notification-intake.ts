import * as df from "durable-functions";
import { cleanupInstanceId, reviewInstanceId } from "../src/app/instance-ids";
import { createNotificationIntakeOrchestration } from "../src/workflow/notification-intake.orchestration";
import { OrchestrationNames } from "../src/workflow/names";

const notificationIntake = createNotificationIntakeOrchestration({
  review: reviewInstanceId,
  cleanup: cleanupInstanceId,
});

df.app.orchestration(OrchestrationNames.notificationIntake, function* (context) {
  return yield* notificationIntake(context);
});
