/** devhost: a local Azure Functions + Durable runtime for development and end-to-end tests. Never deployed. */
export { startDevhost } from "./host";
export type { Devhost, DevhostOptions, HostKeys, InstanceStatus, RegistrationInfo } from "./host-types";
export { spawnDevhost, type SpawnedDevhost, type SpawnOptions } from "./spawn";
export { ManualClock, systemClock, type Clock } from "./clock";
export { parseNcrontab } from "./timers/ncrontab";
