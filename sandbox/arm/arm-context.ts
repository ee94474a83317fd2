import type { CallLog } from "../control/call-log";
import type { FaultInjector } from "../control/fault-injector";
import type { EstateStore } from "../estate/estate-store";
import type { Caller } from "../events/event-factory";
import type { IssuedToken, TokenStore } from "../identity/token-store";
import type { AsyncOperations } from "./async-operations";

/** What ARM handlers share: the estate, the logs and the event outlet. */
export interface ArmContext {
  store: EstateStore;
  tokens: TokenStore;
  calls: CallLog;
  faults: FaultInjector;
  operations: AsyncOperations;
  /** https://127.0.0.1:PORT, for absolute nextLink and operation URLs. */
  baseUrl(): string;
  now(): Date;
  /** Raises a subscription system-topic event if that subscription is watched. */
  emit(kind: "write" | "delete", resourceId: string, operationName: string, caller: Caller): void;
}

export function callerOf(token: IssuedToken, displayName: string): Caller {
  return { objectId: token.objectId, appId: token.clientId, tenantId: token.tenantId, name: displayName };
}
