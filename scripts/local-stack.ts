/**
 * The whole product on one machine: Azurite (tables and durable state), the sandbox (simulated Azure) and the devhost
 * running this app, all on loopback. `npm start` uses it with fixed ports and a data folder; the end-to-end tests and
 * benchmarks use it on free ports, in memory.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { spawnDevhost, startDevhost, type HostKeys, type SpawnedDevhost } from "../devhost";
import { startSandbox, type Sandbox, type SandboxOptions } from "../sandbox";
import { startAzuriteTables, type AzuriteTables } from "./azurite";

export interface LocalStackOptions {
  /** The app root (package.json, host.json, dist/). */
  root: string;
  /** Keep Azurite's data and the sandbox certificate here; omitted: in memory and a temporary certificate. */
  dataDir?: string;
  /** 0 = a free port. Defaults: devhost 7071, sandbox 8443, Azurite tables 10002. */
  ports?: { devhost?: number; sandbox?: number; azurite?: number };
  /** in-process for `npm start`; child for tests that must isolate the app or kill it. */
  devhostMode?: "in-process" | "child";
  /** Setting overrides on top of the local defaults. */
  settings?: Record<string, string>;
  /** Timer triggers on their schedules (default true). */
  schedule?: boolean;
  runActivitiesTwice?: boolean;
  /** Child devhost only: start on a manual clock at this epoch-ms (tests move it; nothing sleeps for a deadline). */
  manualClockStart?: number;
  /** Deliver each Event Grid event this many times (duplicate testing). */
  deliverEachEventTimes?: number;
  log?: (line: string) => void;
  /** The sandbox's estate seed; default sandbox/estate.seed.json (the bench seeds a large estate). */
  seedFile?: string;
  /** Passed to the sandbox: sees every ARM answer (tests check them against Azure's REST specs). */
  onArmExchange?: SandboxOptions["onArmExchange"];
}

export interface LocalStack {
  azurite: AzuriteTables;
  sandbox: Sandbox;
  /** localKey is the function key; keys has the master and system keys too. */
  devhost: { url: string; localKey: string; keys: HostKeys; child?: SpawnedDevhost };
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ports = { devhost: 7071, sandbox: 8443, azurite: 10002, ...options.ports };
  const log = options.log ?? ((): void => undefined);
  const azurite = await startAzuriteTables({
    port: ports.azurite,
    ...(options.dataDir ? { location: path.join(options.dataDir, "azurite") } : {}),
  });
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({
      port: ports.sandbox,
      ...(options.dataDir ? { dataDir: path.join(options.dataDir, "sandbox") } : {}),
      ...(options.deliverEachEventTimes ? { deliverEachEventTimes: options.deliverEachEventTimes } : {}),
      ...(options.onArmExchange ? { onArmExchange: options.onArmExchange } : {}),
      ...(options.seedFile ? { seedFile: options.seedFile } : {}),
      log,
    });
    const settings = { ...localAppSettings(options.root, azurite, sandbox), ...options.settings };
    const devhost = await startAppHost(options, ports.devhost, settings, azurite.connectionString, log);
    // The sandbox plays Event Grid's system topic: it delivers with the eventgrid_extension system key, as a real
    // subscription's endpoint URL does.
    sandbox.setEventWebhookUrl(
      `${devhost.url}/runtime/webhooks/eventgrid?functionName=resource-events&code=${encodeURIComponent(devhost.keys.eventGrid)}`,
    );
    const started = sandbox;
    return {
      azurite,
      sandbox: started,
      devhost,
      settings,
      stop: async () => {
        await devhost.stop();
        await started.stop();
        await azurite.stop();
      },
    };
  } catch (err) {
    await sandbox?.stop();
    await azurite.stop();
    throw err;
  }
}

async function startAppHost(
  options: LocalStackOptions,
  port: number,
  settings: Record<string, string>,
  tableConnectionString: string,
  log: (line: string) => void,
): Promise<LocalStack["devhost"] & { stop(): Promise<void> }> {
  const common = {
    appRoot: options.root,
    port,
    settings,
    schedule: options.schedule ?? true,
    runActivitiesTwice: options.runActivitiesTwice ?? false,
    log,
  };
  if (options.devhostMode === "child") {
    const child = await spawnDevhost({
      ...common,
      tableConnectionString,
      ...(options.manualClockStart !== undefined ? { manualClockStart: options.manualClockStart } : {}),
    });
    return { url: child.url, localKey: child.localKey, keys: child.keys, child, stop: () => child.kill() };
  }
  const host = await startDevhost({ ...common, storage: { tableConnectionString } });
  return { url: host.url, localKey: host.localKey, keys: host.keys, stop: () => host.stop() };
}

/** The app settings that point the app at the local stand-ins; the estate comes from the sandbox's seed. */
export function localAppSettings(root: string, azurite: AzuriteTables, sandbox: Sandbox): Record<string, string> {
  const estate = sandbox.estate;
  return {
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureWebJobsStorage: azurite.connectionString,
    DURABLE_TASK_HUB: "plautopilot",
    TABLES_ENDPOINT: azurite.connectionString,
    TABLE_PREFIX: "pla",
    ARM_ENDPOINT: sandbox.url,
    ARM_CA_FILE: sandbox.caFile,
    // The managed-identity protocol: DefaultAzureCredential takes its real path against the sandbox.
    IDENTITY_ENDPOINT: sandbox.identityEndpoint,
    IDENTITY_HEADER: sandbox.identityHeader,
    AZURE_CLIENT_ID: estate.managedIdentity.clientId,
    SELF_PRINCIPAL_IDS: estate.managedIdentity.objectId,
    MANAGED_RESOURCE_IDS: estate.provider.resourceGroupId,
    DNS_ZONES_RESOURCE_GROUP_ID: estate.dns.resourceGroupId,
    PLS_DNS_ZONE: "privatelink.services.contoso.example",
    PLS_DNS_NAME_TEMPLATE: "{tenant}.{service}",
    POLICY_SOURCE: "file:policy/default-policy.yaml",
    TENANTS_IMPORT_FILE: path.join(root, "sandbox", "tenants.seed.json"),
    APPROVERS: "netops@contoso.example",
    // A fresh key per start: links from an earlier run stop working, as after a rotation without a previous key.
    APPROVAL_SIGNING_KEY: randomBytes(32).toString("base64"),
    APPROVAL_SIGN_IN_PATH: "/.auth/login/local",
    APPROVAL_CHANNELS: "teams,email",
    TEAMS_WEBHOOK_URL: sandbox.teamsWebhookUrl,
    ACS_EMAIL_ENDPOINT: sandbox.acsEndpoint,
    ACS_EMAIL_SENDER: sandbox.emailSenders[0] ?? "DoNotReply@contoso.example",
    SWEEP_SCHEDULE: "0 */5 * * * *",
    CLEANUP_SCHEDULE: "0 30 2 * * *",
    TOKEN_TIMEOUT_MS: "10000",
  };
}
