/** The demo estate as sandbox/estate.seed.json describes it. */
export interface EstateSeed {
  provider: {
    subscriptionId: string;
    tenantId: string;
    resourceGroup: string;
    location: string;
    /** Whether the app's Event Grid subscription watches the provider subscription (echo events). */
    watched: boolean;
    privateLinkServices: PrivateLinkServiceSeed[];
    paasResources: PaasResourceSeed[];
  };
  dns: { subscriptionId: string; resourceGroup: string; zones: string[] };
  consumers: ConsumerSubscriptionSeed[];
  managedIdentity: { clientId: string; objectId: string; tenantId: string; displayName: string };
  email: { senderAddresses: string[] };
  teams: { hookIds: string[] };
  /** Items per page for ARM lists without `$top` (small on purpose so clients follow nextLink). */
  armPageSize: number;
}

export interface PrivateLinkServiceSeed {
  name: string;
  loadBalancer: string;
  visibility: string[];
  autoApproval: string[];
  fqdns: string[];
  tags?: Record<string, string>;
}

export interface PaasResourceSeed {
  /** e.g. "Microsoft.DBforPostgreSQL/flexibleServers". */
  type: string;
  name: string;
  tags?: Record<string, string>;
}

export interface ConsumerSubscriptionSeed {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  /** Events from this subscription reach the app (its system topic is ours to subscribe to). */
  watched: boolean;
  /** false: another tenant's subscription; the app's reads answer 403 AuthorizationFailed. */
  readableByApp: boolean;
  location: string;
  /** The subnet endpoints are created in, e.g. "10.20.1.0/24"; addresses are handed out from .4 up. */
  subnetPrefix: string;
}
