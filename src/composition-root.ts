/**
 * The only place that builds SDK clients. Settings are read from process.env at first use, never at module load;
 * heavy SDKs (@azure/arm-network ~220 ms, identity, data-tables) load inside the factories, not at registration,
 * to keep Flex Consumption cold starts short.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TokenCredential } from "@azure/identity";
import { loadConfig, type AppConfig } from "./config";
import type { Bookkeeping } from "./ports/bookkeeping.port";
import type { ConnectionGateway } from "./ports/connection-gateway.port";
import type { DnsRegistrar } from "./ports/dns-registrar.port";
import type { PolicySource } from "./ports/policy-source.port";
import { createActivities, type Activities } from "./workflow/activities";
import { buildCredential, credentialKinds } from "./adapters/identity/credential-chain";
import { TimeoutCredential } from "./adapters/identity/timeout-credential";
import { TableBookkeeping } from "./adapters/tables/table-bookkeeping";
import { ArmConnectionGateway } from "./adapters/arm/arm-connection-gateway";
import { ArmDnsRegistrar } from "./adapters/arm/arm-dns-registrar";
import { armCallMeter, armCallMeterPolicy } from "./adapters/arm/call-meter";
import { ResourceGraphConnections } from "./adapters/arm/resource-graph-connections";
import type { CallMeter } from "./ports/call-meter.port";
import type { ConnectionGraph } from "./ports/connection-graph.port";
import { FilePolicySource } from "./adapters/policy/file-policy-source";
import { ApprovalKeyRing } from "./app/approval-links";

/** Loads an SDK on first use. Our adapters import SDK types only, so nothing heavy loads at registration. */
function sdk<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

/** dist/src/composition-root.js → the app root two levels up (where host.json and policy/ live). */
export const APP_ROOT = resolve(__dirname, "..", "..");
const ARM_SCOPE = "https://management.azure.com/.default";

let config: AppConfig | undefined;
let credential: Promise<TokenCredential> | undefined;
let bookkeeping: Promise<Bookkeeping> | undefined;
let gateway: Promise<ConnectionGateway> | undefined;
let activities: Promise<Activities> | undefined;
let dnsRegistrar: Promise<DnsRegistrar> | undefined;
let approvalKeys: ApprovalKeyRing | undefined;
let connectionGraph: Promise<ConnectionGraph> | undefined;
let policySource: PolicySource | undefined;

/** Validated settings; throws ConfigError naming every bad setting. */
export function getConfig(): AppConfig {
  config ??= loadConfig(process.env, { appRoot: APP_ROOT });
  return config;
}

/** Forgets everything built so far (tests, or after settings change). */
export function resetCompositionRoot(): void {
  config = undefined;
  credential = undefined;
  bookkeeping = undefined;
  gateway = undefined;
  activities = undefined;
  dnsRegistrar = undefined;
  approvalKeys = undefined;
  connectionGraph = undefined;
  policySource = undefined;
}

async function getCredential(): Promise<TokenCredential> {
  credential ??= (async () => {
    const cfg = getConfig();
    const inner = buildCredential(
      sdk<typeof import("@azure/identity")>("@azure/identity"),
      credentialKinds(process.env),
      {
        clientId: cfg.azureClientId,
        tenantId: process.env.AZURE_TENANT_ID,
        timeoutMs: cfg.tokenTimeoutMs,
      },
    );
    return new TimeoutCredential(inner, cfg.tokenTimeoutMs);
  })();
  return credential;
}

export function getBookkeeping(): Promise<Bookkeeping> {
  bookkeeping ??= (async () => {
    const cfg = getConfig();
    const { TableClient } = sdk<typeof import("@azure/data-tables")>("@azure/data-tables");
    const tables = cfg.tables;
    if (tables.kind === "connection-string") {
      const insecure = /UseDevelopmentStorage=true|http:\/\//i.test(tables.connectionString);
      return new TableBookkeeping((name) =>
        TableClient.fromConnectionString(tables.connectionString, `${cfg.tablePrefix}${name}`, {
          allowInsecureConnection: insecure,
        }),
      );
    }
    const cred = await getCredential();
    const insecure = tables.url.startsWith("http://");
    return new TableBookkeeping(
      (name) => new TableClient(tables.url, `${cfg.tablePrefix}${name}`, cred, { allowInsecureConnection: insecure }),
    );
  })();
  return bookkeeping;
}

function armClientOptions(cfg: AppConfig) {
  const { ca } = extraCa(cfg);
  return {
    endpoint: cfg.arm.endpoint,
    credentialScopes: [ARM_SCOPE],
    additionalPolicies: [{ policy: armCallMeterPolicy, position: "perRetry" as const }],
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
}

export function getGateway(): Promise<ConnectionGateway> {
  gateway ??= (async () => {
    const cfg = getConfig();
    const cred = await getCredential();
    const { NetworkManagementClient } = sdk<typeof import("@azure/arm-network")>("@azure/arm-network");
    const { ResourceManagementClient } = sdk<typeof import("@azure/arm-resources")>("@azure/arm-resources");
    const options = armClientOptions(cfg);
    const network = memo((sub: string) => new NetworkManagementClient(cred, sub, options));
    const resources = memo((sub: string) => new ResourceManagementClient(cred, sub, options));
    return new ArmConnectionGateway({ network, resources }, { endpoint: cfg.arm.endpoint });
  })();
  return gateway;
}

export function getDnsRegistrar(): Promise<DnsRegistrar> {
  dnsRegistrar ??= (async () => {
    const cfg = getConfig();
    const cred = await getCredential();
    const { PrivateDnsManagementClient } = sdk<typeof import("@azure/arm-privatedns")>("@azure/arm-privatedns");
    const options = armClientOptions(cfg);
    const dnsClient = memo((sub: string) => new PrivateDnsManagementClient(cred, sub, options));
    return new ArmDnsRegistrar(dnsClient, cfg.dnsZonesResourceGroupId);
  })();
  return dnsRegistrar;
}

export function getActivities(): Promise<Activities> {
  activities ??= (async () => {
    const cfg = getConfig();
    // The Teams channel pulls in @azure/core-rest-pipeline: load it when an activity first runs, not at registration.
    const { TeamsWebhookChannel } = sdk<typeof import("./adapters/teams/teams-webhook-channel.js")>(
      "./adapters/teams/teams-webhook-channel",
    );
    const { AcsEmailChannel } = sdk<typeof import("./adapters/email/acs-email-channel.js")>(
      "./adapters/email/acs-email-channel",
    );
    return createActivities({
      gateway: await getGateway(),
      dns: await getDnsRegistrar(),
      bookkeeping: await getBookkeeping(),
      approval: {
        channels: [
          new TeamsWebhookChannel({
            ...(cfg.teamsWebhookUrl ? { webhookUrl: cfg.teamsWebhookUrl } : {}),
            ...extraCa(cfg),
          }),
          new AcsEmailChannel(await getEmailClient(), { sender: cfg.acsEmail.sender ?? "DoNotReply@example.com" }),
        ],
        links: getApprovalKeys(),
        defaultApprovers: cfg.approval.approvers,
        defaultChannels: cfg.approval.channels,
      },
      policy: getPolicySource(),
      managedScopes: cfg.managedResourceIds,
      ...(cfg.privateLinkServiceDns ? { privateLinkServiceDns: cfg.privateLinkServiceDns } : {}),
    });
  })();
  return activities;
}

/** Counts ARM requests per unit of work (the SDK clients carry its policy). */
export function getCallMeter(): CallMeter {
  return armCallMeter;
}

/** Azure Resource Graph, for SWEEP_LISTING=resource-graph (the SDK loads on first use). */
export function getConnectionGraph(): Promise<ConnectionGraph> {
  connectionGraph ??= (async () => {
    const cfg = getConfig();
    const cred = await getCredential();
    const { ResourceGraphClient } = sdk<typeof import("@azure/arm-resourcegraph")>("@azure/arm-resourcegraph");
    // The stable api-version whose spec the contract tests hold (the SDK defaults to a preview).
    return new ResourceGraphConnections(
      new ResourceGraphClient(cred, { ...armClientOptions(cfg), apiVersion: "2024-04-01" }),
    );
  })();
  return connectionGraph;
}

/** The approval link signer and checker (current and previous key). */
export function getApprovalKeys(): ApprovalKeyRing {
  approvalKeys ??= (() => {
    const { approval } = getConfig();
    return new ApprovalKeyRing(approval.signingKey, approval.previousSigningKey, approvalBaseUrl());
  })();
  return approvalKeys;
}

/** APPROVAL_BASE_URL, else the app's own host name (App Service sets WEBSITE_HOSTNAME; so does the devhost). */
export function approvalBaseUrl(): string | undefined {
  const configured = getConfig().approval.baseUrl;
  if (configured) return configured;
  const host = process.env.WEBSITE_HOSTNAME;
  if (!host) return undefined;
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host);
  return `${local ? "http" : "https"}://${host}/api/approvals`;
}

function extraCa(cfg: AppConfig): { ca?: string } {
  return cfg.arm.caFile ? { ca: readFileSync(cfg.arm.caFile, "utf8") } : {};
}

/** ACS email with the managed identity (the SDK asks for https://communication.azure.com//.default). */
async function getEmailClient() {
  const cfg = getConfig();
  if (!cfg.acsEmail.endpoint || !cfg.acsEmail.sender) return undefined;
  const { EmailClient } = sdk<typeof import("@azure/communication-email")>("@azure/communication-email");
  const ca = extraCa(cfg).ca;
  return new EmailClient(cfg.acsEmail.endpoint, await getCredential(), {
    retryOptions: { maxRetries: 2, retryDelayInMs: 500 },
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
}

/** The policy in force (POLICY_SOURCE), re-read on each load (parsed again only when it changed). */
export function getPolicySource(): PolicySource {
  policySource ??= new FilePolicySource(APP_ROOT, getConfig().policySource.path);
  return policySource;
}

/** The tenants import file, resolved against the app root when relative. */
export function tenantsImportPath(): string | undefined {
  const file = getConfig().tenantsImportFile;
  return file ? resolve(APP_ROOT, file) : undefined;
}

function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const k = key.toLowerCase();
    let v = cache.get(k);
    if (!v) {
      v = make(k);
      cache.set(k, v);
    }
    return v;
  };
}
