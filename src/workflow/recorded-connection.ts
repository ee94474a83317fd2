import type { ArmConnection } from "../ports/connection-gateway.port";

/**
 * An ARM snapshot as durable history recorded it. Instances started before the snapshot's `status` was named
 * `armStatus` carry the old name in their history and in the inputs they scheduled; replaying them must read the
 * same status, or the replay takes another path than the recorded run.
 */
export function armConnectionOf(recorded: ArmConnection): ArmConnection {
  const older = recorded as ArmConnection & { status?: ArmConnection["armStatus"] };
  if (older.armStatus !== undefined || older.status === undefined) return recorded;
  const { status, ...rest } = older;
  return { ...rest, armStatus: status };
}
