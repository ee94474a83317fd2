import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { AsyncOperations } from "./arm/async-operations";
import type { ArmContext } from "./arm/arm-context";
import { handleArm } from "./arm/arm-dispatcher";
import { CallLog } from "./control/call-log";
import { controlRouter } from "./control/control-routes";
import { estateSummary, type Estate } from "./control/estate-summary";
import { FaultInjector } from "./control/fault-injector";
import { EstateStore } from "./estate/estate-store";
import { defaultSeedFile, loadSeed } from "./estate/seed-loader";
import { EventDelivery, type DeliveryRecord } from "./events/event-delivery";
import { resourceEvent, type Caller } from "./events/event-factory";
import { ArmError } from "./http/arm-error";
import type { SandboxRequest, SandboxResponse } from "./http/http-types";
import { close, listen, serve } from "./http/serve-request";
import { startTokenEndpoint } from "./identity/token-endpoint";
import { TokenStore } from "./identity/token-store";
import { loadOrCreateCertificate } from "./http/tls-certificate";
import { handleAcsEmail } from "./notify/acs-email-routes";
import { Inbox, type InboxItem } from "./notify/inbox";
import { handleTeams } from "./notify/teams-webhook-routes";

export type { CreatedEndpoint } from "./control/control-routes";
export type { Estate } from "./control/estate-summary";
export type { DeliveryRecord } from "./events/event-delivery";
export type { InboxItem } from "./notify/inbox";

export interface SandboxOptions {
  /** HTTPS port; default 8443; 0 = a free port. */
  port?: number;
  /** Port of the plain-HTTP managed-identity endpoint; default 0 (a free port). */
  identityPort?: number;
  /** Where the certificate is kept; default `.local/sandbox/` under the repository root. */
  dataDir?: string;
  seedFile?: string;
  eventWebhookUrl?: string;
  deliverEachEventTimes?: number;
  /** Waits before event redelivery attempts; the length bounds the retries. Default 1 s, 5 s, 30 s. */
  eventRetryDelaysMs?: number[];
  /** Per-attempt timeout of an event delivery; default 10 s. */
  eventAttemptTimeoutMs?: number;
  log?: (line: string) => void;
  /** Sees every ARM answer the sandbox gives (the contract suite checks them against Azure's REST specs). */
  onArmExchange?: (exchange: ArmExchange) => void;
}

/** One ARM request and the sandbox's answer, for observers. */
export interface ArmExchange {
  method: string;
  path: string;
  apiVersion: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface Sandbox {
  /** https://127.0.0.1:PORT */
  url: string;
  caPem: string;
  caFile: string;
  /** IDENTITY_ENDPOINT for the App Service managed-identity protocol. */
  identityEndpoint: string;
  /** IDENTITY_HEADER. */
  identityHeader: string;
  /** endpoint=https://127.0.0.1:PORT/;accesskey=... */
  acsConnectionString: string;
  /** The ACS endpoint for Entra ID (managed identity) callers. */
  acsEndpoint: string;
  /** Verified sender addresses. */
  emailSenders: string[];
  teamsWebhookUrl: string;
  /** What the seed created (and endpoints made since), as GET /_sandbox/estate returns it. */
  readonly estate: Estate;
  setEventWebhookUrl(url: string): void;
  /** Resolves when no event delivery is in flight or waiting to retry. */
  eventsIdle(): Promise<void>;
  deliveries(): DeliveryRecord[];
  inbox(): InboxItem[];
  stop(): Promise<void>;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? (() => undefined);
  const seed = loadSeed(options.seedFile ?? defaultSeedFile());
  const dataDir = options.dataDir ?? path.join(repoRoot(), ".local", "sandbox");
  const tls = await loadOrCreateCertificate(dataDir);
  const store = new EstateStore(seed);
  const tokens = new TokenStore();
  const calls = new CallLog();
  const faults = new FaultInjector();
  const inbox = new Inbox();
  const now = (): Date => new Date();
  const deliveries = new EventDelivery({
    webhookUrl: options.eventWebhookUrl,
    deliverEachEventTimes: options.deliverEachEventTimes ?? 1,
    retryDelaysMs: options.eventRetryDelaysMs ?? [1000, 5000, 30000],
    attemptTimeoutMs: options.eventAttemptTimeoutMs ?? 10_000,
    log,
  });
  // Keys are made per start: nothing secret lives in the repository.
  const identityHeader = randomBytes(24).toString("hex");
  const accessKey = randomBytes(32).toString("base64");
  const teamsSignature = randomBytes(16).toString("base64url");
  let baseUrl = "";

  const emit = (kind: "write" | "delete", resourceId: string, operationName: string, caller: Caller): void => {
    const sub = resourceId.split("/")[2] ?? "";
    const consumer = store.consumer(sub);
    const watched = consumer ? consumer.watched : store.isProviderSubscription(sub) && seed.provider.watched;
    if (!watched) return;
    const tenantId = consumer?.tenantId ?? seed.provider.tenantId;
    deliveries.publish([
      resourceEvent({ kind, subscriptionId: sub, tenantId, resourceId, operationName, caller, now: now() }),
    ]);
  };
  const armContext: ArmContext = {
    store,
    tokens,
    calls,
    faults,
    operations: new AsyncOperations(),
    baseUrl: () => baseUrl,
    now,
    emit,
  };
  const control = controlRouter({ store, calls, faults, inbox, deliveries, emit });
  const acs = {
    accessKey,
    senderAddresses: seed.email.senderAddresses,
    inbox,
    baseUrl: () => baseUrl,
    now,
    faults,
    tokens,
    operations: new Map<string, string>(),
  };
  const teams = { hookIds: seed.teams.hookIds, signature: teamsSignature, inbox, now, faults };

  const route = async (req: SandboxRequest): Promise<SandboxResponse | "hang"> => {
    const teamsPost = handleTeams(teams, req);
    if (teamsPost) return teamsPost;
    const controlHandler = control.match(req);
    if (controlHandler) return controlHandler(req);
    const email = handleAcsEmail(acs, req);
    if (email) return email;
    const arm = await handleArm(armContext, req);
    if (arm && arm !== "hang") {
      options.onArmExchange?.({
        method: req.method,
        path: req.path,
        apiVersion: req.url.searchParams.get("api-version") ?? "",
        status: arm.status,
        headers: arm.headers ?? {},
        body: arm.json,
      });
    }
    if (arm) return arm;
    throw new ArmError(
      404,
      "NotFound",
      `Nothing is served at ${req.method} ${req.path}; see sandbox/README.md for the routes.`,
    );
  };

  const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (raw, res) => {
    void serve(raw, res, route, log);
  });
  await listen(server, options.port ?? 8443);
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const identity = await startTokenEndpoint(
    seed.managedIdentity,
    identityHeader,
    tokens,
    options.identityPort ?? 0,
  ).catch(async (err: unknown) => {
    await close(server);
    throw err;
  });

  let stopped = false;
  return {
    url: baseUrl,
    caPem: tls.cert,
    caFile: tls.caFile,
    identityEndpoint: identity.endpoint,
    identityHeader,
    acsConnectionString: `endpoint=${baseUrl}/;accesskey=${accessKey}`,
    acsEndpoint: baseUrl,
    emailSenders: [...seed.email.senderAddresses],
    teamsWebhookUrl: `${baseUrl}/_sandbox/teams/${encodeURIComponent(seed.teams.hookIds[0] ?? "approvals")}?sig=${teamsSignature}`,
    get estate() {
      return estateSummary(store);
    },
    setEventWebhookUrl: (url) => deliveries.setWebhookUrl(url),
    eventsIdle: () => deliveries.idle(),
    deliveries: () => deliveries.list(),
    inbox: () => inbox.list(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      deliveries.stop();
      await Promise.all([close(server), close(identity.server)]);
    },
  };
}
