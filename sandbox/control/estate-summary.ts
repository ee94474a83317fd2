import type { EstateStore } from "../estate/estate-store";

/** What the seed created, so scripts and tests need not hard-code ids (GET /_sandbox/estate). */
export interface Estate {
  provider: {
    subscriptionId: string;
    tenantId: string;
    resourceGroupId: string;
    watched: boolean;
    resources: {
      id: string;
      type: string;
      name: string;
      groupId: string;
      fqdn?: string;
      alias?: string;
      autoApproval?: string[];
    }[];
  };
  consumers: {
    subscriptionId: string;
    tenantId: string;
    displayName: string;
    watched: boolean;
    readableByApp: boolean;
  }[];
  dns: { resourceGroupId: string; zones: { id: string; name: string }[] };
  managedIdentity: { clientId: string; objectId: string; tenantId: string };
  privateEndpoints: { id: string; targetResourceId: string; connectionId: string; status: string; privateIp: string }[];
}

export function estateSummary(store: EstateStore): Estate {
  const seed = store.seed;
  return {
    provider: {
      subscriptionId: seed.provider.subscriptionId,
      tenantId: seed.provider.tenantId,
      resourceGroupId: `/subscriptions/${seed.provider.subscriptionId}/resourceGroups/${seed.provider.resourceGroup}`,
      watched: seed.provider.watched,
      resources: [...store.providers.values()].map((r) => ({
        id: r.id,
        type: r.family.type,
        name: r.name,
        groupId: r.family.groupId,
        ...(r.family.fqdn ? { fqdn: r.family.fqdn(r.name) } : {}),
        ...(r.pls ? { alias: r.pls.alias, autoApproval: r.pls.autoApproval } : {}),
      })),
    },
    consumers: seed.consumers.map((c) => ({
      subscriptionId: c.subscriptionId,
      tenantId: c.tenantId,
      displayName: c.displayName,
      watched: c.watched,
      readableByApp: c.readableByApp,
    })),
    dns: {
      resourceGroupId: `/subscriptions/${seed.dns.subscriptionId}/resourceGroups/${seed.dns.resourceGroup}`,
      zones: [...store.zones.values()].map((z) => ({ id: z.id, name: z.name })),
    },
    managedIdentity: {
      clientId: seed.managedIdentity.clientId,
      objectId: seed.managedIdentity.objectId,
      tenantId: seed.managedIdentity.tenantId,
    },
    privateEndpoints: [...store.endpoints.values()].map((e) => ({
      id: e.id,
      targetResourceId: e.targetResourceId,
      connectionId: e.connectionId,
      status: e.status,
      privateIp: e.privateIp,
    })),
  };
}
