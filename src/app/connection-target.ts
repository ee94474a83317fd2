import { isPrivateEndpointConnectionId, isWithinScopes, tryParseArmId, type ArmId } from "../domain/arm-id";
import { apiError, type ApiResponse } from "./http-api";

/** A private endpoint connection id on a resource this app manages, or the coded 4xx that says what is wrong. */
export function managedConnectionId(
  value: unknown,
  managedScopes: readonly string[],
): { ok: true; id: ArmId } | { ok: false; response: ApiResponse } {
  const id = typeof value === "string" ? tryParseArmId(value) : undefined;
  if (!id || !isPrivateEndpointConnectionId(id)) {
    const message =
      "connectionId must be a private endpoint connection id: <provider resource id>/privateEndpointConnections/<name>.";
    return { ok: false, response: apiError(400, "CONNECTION_ID_INVALID", message) };
  }
  if (!id.parent || !isWithinScopes(id.parent.id, managedScopes)) {
    const message = "That connection is on a resource this app does not manage (MANAGED_RESOURCE_IDS).";
    return { ok: false, response: apiError(422, "RESOURCE_NOT_MANAGED", message) };
  }
  return { ok: true, id };
}
