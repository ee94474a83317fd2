import { encodeKey } from "../../domain/arm-id";
import type { DemoClient } from "./demo-client";

/** What `/_sandbox/estate` tells us (the part the demo needs). */
interface Estate {
  provider: { resources: { id: string; type: string; name: string }[] };
  consumers: {
    subscriptionId: string;
    tenantId: string;
    displayName: string;
    watched: boolean;
    readableByApp: boolean;
  }[];
}

interface CreatedEndpoint {
  privateEndpointId: string;
  connectionId: string;
}

interface ConnectionView {
  state?: string;
  instanceId?: string;
  ruleId?: string;
  reason?: string;
  dnsRecords?: { zone: string; name: string; ipAddresses: string[]; outcome: string }[];
  dnsNote?: string;
}

export interface TimelineEntry {
  at: number;
  step: string;
  what: string;
}

export interface DemoOptions {
  client: DemoClient;
  /** Distinguishes this run's endpoints from earlier runs'. */
  runId: string;
  print: (entry: TimelineEntry) => void;
  /** Waits between polls; the demo never decides by time, it only waits for the app to catch up. */
  pause: (ms: number) => Promise<void>;
  elapsed: () => number;
  timeoutMs?: number;
  /** Approve the human review through the real page flow (sign in, open the emailed link, press Approve). */
  approve?: boolean;
  /** How long to wait for a person to click when not approving automatically (default 10 minutes). */
  humanTimeoutMs?: number;
}

export interface DemoResult {
  ok: boolean;
  steps: { name: string; expected: string; got: string; ok: boolean }[];
}

/** The scripted scenario: auto-approve, reject by policy, human review, and a deletion that cleans up DNS. */
export async function runDemoScenario(options: DemoOptions): Promise<DemoResult> {
  const { client, runId } = options;
  const say = (step: string, what: string): void => options.print({ at: options.elapsed(), step, what });
  const steps: DemoResult["steps"] = [];
  const estate = (await client.sandbox("GET", "/_sandbox/estate")).body as Estate;
  const resource = (type: string) => {
    const found = estate.provider.resources.find((r) => r.type.toLowerCase() === type.toLowerCase());
    if (!found) throw new Error(`the sandbox estate has no ${type}`);
    return found;
  };
  const postgres = resource("Microsoft.DBforPostgreSQL/flexibleServers");
  const storage = resource("Microsoft.Storage/storageAccounts");
  const pls = resource("Microsoft.Network/privateLinkServices");
  const known = estate.consumers.find((c) => c.watched && c.readableByApp);
  const stranger = estate.consumers.find((c) => !c.readableByApp);
  if (!known || !stranger) throw new Error("the sandbox estate lacks a watched consumer or a foreign tenant");

  const create = async (consumer: typeof known, name: string, target: string, message?: string) => {
    const answer = await client.sandbox("POST", "/_sandbox/private-endpoints", {
      subscriptionId: consumer.subscriptionId,
      resourceGroup: "spoke-rg",
      name,
      targetResourceId: target,
      tenantId: consumer.tenantId,
      ...(message ? { requestMessage: message } : {}),
    });
    if (answer.status >= 300) throw new Error(`the sandbox refused the endpoint: ${JSON.stringify(answer.body)}`);
    return answer.body as CreatedEndpoint;
  };
  const settle = (step: string, connectionId: string, states: string[]) =>
    waitForState(options, step, connectionId, states);
  const check = (name: string, expected: string, view: ConnectionView | undefined): void => {
    const got = view?.state ?? "(no record)";
    steps.push({ name, expected, got, ok: got === expected });
  };

  say("1 auto-approve", `${known.displayName} creates a private endpoint to ${postgres.name} (PostgreSQL)`);
  const pg = await create(known, `demo-pg-${runId}`, postgres.id, "orders reporting replica");
  say("1 auto-approve", "Event Grid delivers privateEndpoints/write to the app; the review starts");
  const approved = await settle("1 auto-approve", pg.connectionId, ["approved", "rejected", "failed"]);
  check("known tenant → approved with DNS", "approved", approved);
  for (const r of approved?.dnsRecords ?? [])
    say("1 auto-approve", `DNS ${r.outcome}: ${r.name}.${r.zone} → ${r.ipAddresses.join(", ")}`);

  say("2 reject", `${known.displayName} asks for ${storage.name} (tagged production) without a change ticket`);
  const st = await create(known, `demo-st-${runId}`, storage.id, "need blob access please");
  const rejected = await settle("2 reject", st.connectionId, ["rejected", "approved", "failed"]);
  check("production without ticket → rejected", "rejected", rejected);

  say("3 review", `${stranger.displayName} (unknown tenant, unwatched subscription) connects to ${pls.name}`);
  const foreign = await create(stranger, `demo-pls-${runId}`, pls.id, "partner integration");
  say("3 review", "no event reaches us from an unwatched subscription: the operator asks for a review over HTTP");
  const asked = await client.app("POST", "/reviews", { connectionId: foreign.connectionId });
  say("3 review", `POST /api/reviews → ${asked.status}`);
  const waiting = await settle("3 review", foreign.connectionId, [
    "awaiting-approval",
    "approved",
    "rejected",
    "failed",
  ]);
  check("unknown tenant → waits for a person", "awaiting-approval", waiting);
  const mail = await waitForEmail(options, `demo-pls-${runId}`);
  if (!mail) {
    say("3 review", "no approval email arrived; see the devhost log");
  } else {
    say("3 review", `email to ${mail.to} (and a Teams card); inbox: ${client.runtime.sandboxUrl}/_sandbox/inbox.html`);
    say("3 review", `approval link: ${mail.link}`);
    if (options.approve) {
      say("3 review", `signing in as ${mail.to} and pressing Approve on the page (--approve)`);
      say("3 review", `the page answered ${await client.approveOnPage(mail.link, mail.to, "Known partner (demo)")}`);
    } else {
      say("3 review", `open the link, sign in as ${mail.to} and press Approve; waiting for the decision...`);
    }
    const decided = await waitForState(
      { ...options, timeoutMs: options.approve ? options.timeoutMs : (options.humanTimeoutMs ?? 600_000) },
      "3 review",
      foreign.connectionId,
      ["approved", "rejected", "failed"],
    );
    check("a person decides on the approval page → approved", "approved", decided);
  }

  say("4 delete", `${known.displayName} deletes its PostgreSQL endpoint`);
  await client.sandbox("DELETE", `/_sandbox/private-endpoints/${encodeURIComponent(pg.privateEndpointId)}`);
  const removed = await settle("4 delete", pg.connectionId, ["removed"]);
  check("endpoint deleted → DNS removed", "removed", removed);
  for (const r of removed?.dnsRecords ?? []) say("4 delete", `DNS ${r.outcome}: ${r.name}.${r.zone}`);

  return { ok: steps.every((s) => s.ok), steps };
}

interface InboxItem {
  kind: string;
  to: string[];
  plainText?: string;
}

/** The approval email the review sent about this endpoint, with its personal link. */
async function waitForEmail(
  options: DemoOptions,
  endpointName: string,
): Promise<{ to: string; link: string } | undefined> {
  const until = options.elapsed() + (options.timeoutMs ?? 60_000);
  while (options.elapsed() < until) {
    const items = ((await options.client.sandbox("GET", "/_sandbox/inbox")).body as { items: InboxItem[] }).items;
    const mail = items.find((i) => i.kind === "email" && i.plainText?.includes(endpointName));
    const link = mail && /Review and decide: (\S+)/.exec(mail.plainText ?? "")?.[1];
    if (mail && link) return { to: mail.to[0] ?? "", link };
    await options.pause(250);
  }
  return undefined;
}

async function waitForState(
  options: DemoOptions,
  step: string,
  connectionId: string,
  states: string[],
): Promise<ConnectionView | undefined> {
  const deadline = options.elapsed() + (options.timeoutMs ?? 60_000);
  let last: string | undefined;
  let view: ConnectionView | undefined;
  while (options.elapsed() < deadline) {
    const answer = await options.client.app("GET", `/connections/${encodeKey(connectionId)}`);
    if (answer.status === 200) {
      const body = answer.body as { connection?: ConnectionView } & ConnectionView;
      view = body.connection ?? body;
      if (view.state !== last) {
        last = view.state;
        const why = view.ruleId ? ` (rule ${view.ruleId}: ${view.reason ?? ""})` : "";
        options.print({ at: options.elapsed(), step, what: `connection is ${view.state}${why}` });
      }
      if (view.state && states.includes(view.state)) return view;
    }
    await options.pause(250);
  }
  options.print({ at: options.elapsed(), step, what: `still ${last ?? "unknown"} after waiting; see the devhost log` });
  return view;
}
