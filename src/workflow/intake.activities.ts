import { isWithinScopes, normaliseArmId, sameArmId } from "../domain/arm-id";
import {
  withEndpointGroupIds,
  type ConnectionGateway,
  type ArmConnection,
  type PrivateEndpointInfo,
} from "../ports/connection-gateway.port";
import { PermanentError } from "../ports/errors";
import type { ActivityHandlers } from "./contracts";
import { ActivityNames, type IntakeActivityName } from "./names";
import { step } from "./activity-step";

export interface IntakeActivityPorts {
  gateway: ConnectionGateway;
  /** MANAGED_RESOURCE_IDS: provider resources, resource groups or subscriptions whose connections we manage. */
  managedScopes: readonly string[];
}

/** The activities of the two intakes: they find which of our connections a signal is about, reading ARM. */
export function createIntakeActivities(ports: IntakeActivityPorts): ActivityHandlers<IntakeActivityName> {
  const { gateway, managedScopes } = ports;

  return {
    async [ActivityNames.listNotifiedConnections](input) {
      return step(async () => {
        if (!isWithinScopes(input.providerResourceId, managedScopes)) return [];
        const wanted = new Set(input.connectionIds.map((id) => normaliseArmId(id)));
        const listed = await gateway.listConnections(input.providerResourceId);
        return listed.filter((c) => wanted.has(normaliseArmId(c.connectionId)));
      });
    },

    async [ActivityNames.resolveEndpoint](input) {
      return step(async () => {
        let endpoint: PrivateEndpointInfo | undefined;
        try {
          // NICs only when needed: the endpoint read is handed on to the reviews' DNS step.
          endpoint = await gateway.getPrivateEndpoint(input.privateEndpointId, { nics: "when-needed" });
          if (!endpoint) return { connections: [] };
        } catch (error) {
          if (!(error instanceof PermanentError)) throw error;
          endpoint = undefined; // unreadable: fall back to scanning every managed resource
        }
        const resources = endpoint
          ? endpoint.targets.map((t) => t.targetResourceId).filter((t) => isWithinScopes(t, managedScopes))
          : (await Promise.all(managedScopes.map((s) => gateway.listProviderResources(s)))).flat().map((r) => r.id);
        const connections: ArmConnection[] = [];
        // Stryker disable next-line MethodExpression: upper or lower case folds ASCII resource ids alike
        const unique = new Map(resources.map((r) => [r.toLowerCase(), r]));
        for (const resourceId of unique.values()) {
          for (const connection of await gateway.listConnections(resourceId)) {
            if (connection.privateEndpointId && sameArmId(connection.privateEndpointId, input.privateEndpointId)) {
              connections.push(endpoint ? withEndpointGroupIds(connection, endpoint) : connection);
            }
          }
        }
        const small = endpoint ? compactEndpoint(endpoint) : undefined;
        return { connections, ...(small ? { endpoint: small } : {}) };
      });
    },
  };
}

/** Activity inputs stay small: an endpoint with an unusual number of entries is not handed on (it is re-read). */
function compactEndpoint(endpoint: PrivateEndpointInfo): PrivateEndpointInfo | undefined {
  const entries = endpoint.targets.length + endpoint.customDnsConfigs.length + endpoint.nicIpConfigurations.length;
  return entries <= 64 ? endpoint : undefined;
}
