import { tryParseArmId } from "../domain/arm-id";
import type { ConnectionRequest } from "../domain/connection";
import type { ArmConnection } from "../ports/connection-gateway.port";

/** What the policy sees, built from what ARM says about the connection (pure: the orchestration calls it too). */
export function toConnectionRequest(
  state: ArmConnection,
  source: ConnectionRequest["source"],
  observedAt: string,
  consumerTenantId?: string,
): ConnectionRequest {
  const endpoint = state.privateEndpointId ? tryParseArmId(state.privateEndpointId) : undefined;
  return {
    connectionId: state.connectionId,
    providerResourceId: state.providerResourceId,
    providerResourceType: state.providerResourceType,
    ...(state.providerResourceTags ? { providerResourceTags: state.providerResourceTags } : {}),
    groupIds: state.groupIds,
    ...(state.privateEndpointId ? { privateEndpointId: state.privateEndpointId } : {}),
    ...(endpoint ? { consumerSubscriptionId: endpoint.subscriptionId } : {}),
    ...(consumerTenantId ? { consumerTenantId } : {}),
    ...(state.requestMessage !== undefined ? { requestMessage: state.requestMessage } : {}),
    ...(state.location ? { location: state.location } : {}),
    status: state.armStatus,
    source,
    observedAt,
  };
}
