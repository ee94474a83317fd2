import type { ActivityHandlers } from "./contracts";
import { createCleanupActivities, type CleanupActivityPorts } from "./cleanup.activities";
import { createIntakeActivities, type IntakeActivityPorts } from "./intake.activities";
import { createReviewActivities, type ReviewActivityPorts } from "./review.activities";

export type ActivityPorts = ReviewActivityPorts & CleanupActivityPorts & IntakeActivityPorts;

/** Every workflow's activities, for registration: the composition root builds them once, over all the ports. */
export function createActivities(ports: ActivityPorts): ActivityHandlers {
  return { ...createReviewActivities(ports), ...createCleanupActivities(ports), ...createIntakeActivities(ports) };
}

export type Activities = ActivityHandlers;
