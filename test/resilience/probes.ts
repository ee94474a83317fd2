/** What the resilience files measure on a running stack: answers, the app's rows, durable instances, ARM writes. */
import { TableClient } from "@azure/data-tables";
import { OrchestrationNames, SweepNames } from "../../src/workflow/names";
import type { E2eStack } from "../e2e/e2e-stack";
import { CATEGORIES, type Tally } from "./tally";

export interface Answer {
  status: number;
  text: string;
}

/**
 * Sends one request; a 5xx or no answer at all is counted in `tally` (no answer: the host died or hung, a crash).
 * Returns undefined when there was no answer.
 */
export async function send(
  tally: Tally,
  what: string,
  url: string,
  init: RequestInit,
  timeoutMs = 30_000,
): Promise<Answer | undefined> {
  tally.cases++;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status >= 500) tally.add(CATEGORIES.fiveXx, `${what}: ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, text };
  } catch (err) {
    tally.add(CATEGORIES.crashes, `${what}: no answer (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

/** Rows in one of the app's tables (`TABLE_PREFIX` + name); 0 while the table does not exist. */
export async function rowCount(stack: E2eStack, table: string): Promise<number> {
  const client = TableClient.fromConnectionString(
    stack.azurite.connectionString,
    `${stack.settings.TABLE_PREFIX}${table}`,
    {
      allowInsecureConnection: true,
    },
  );
  let n = 0;
  try {
    for await (const _ of client.listEntities({ queryOptions: { select: ["PartitionKey"] } })) n++;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return 0;
    throw err;
  }
  return n;
}

/**
 * Durable instances that act on a connection (reviews, clean-ups), through the host's durable API (system key),
 * following continuation tokens. Intake instances are left out: an event is accepted and then looked into by a
 * durable intake, which may find nothing; what it must not do is start a review or write a row for nothing.
 */
// A sweep too: a timer firing (whatever body the admin call carries) is a real run that only starts work ARM justifies.
const INTAKES = new Set<string>([
  OrchestrationNames.endpointIntake,
  OrchestrationNames.notificationIntake,
  SweepNames.orchestration,
]);

export async function instanceCount(stack: E2eStack): Promise<number> {
  let n = 0;
  let token: string | null = null;
  do {
    const res: Response = await fetch(`${stack.devhost.url}/runtime/webhooks/durabletask/instances?top=500`, {
      headers: {
        "x-functions-key": stack.devhost.keys.durableTask,
        ...(token ? { "x-ms-continuation-token": token } : {}),
      },
    });
    const page = (await res.json()) as { name: string }[];
    // An intake or a sweep only looks (it reads ARM and starts reviews for what ARM has): not garbage.
    n += page.filter((i) => !INTAKES.has(i.name)).length;
    token = res.headers.get("x-ms-continuation-token");
  } while (token);
  return n;
}

/** ARM writes (PUT, PATCH, DELETE) the sandbox has served so far, by operation. */
export async function armWrites(stack: E2eStack): Promise<{ approvals: number; deletes: number }> {
  const { counters } = await stack.calls();
  let approvals = 0;
  let deletes = 0;
  for (const [operation, c] of Object.entries(counters)) {
    if (/^(PUT|PATCH) .*privateEndpointConnections/i.test(operation)) approvals += c.count;
    else if (/^DELETE /i.test(operation)) deletes += c.count;
  }
  return { approvals, deletes };
}

/** Everything garbage must not change. */
export interface Footprint {
  connections: number;
  instances: number;
  approvals: number;
  deletes: number;
}

export async function footprint(stack: E2eStack): Promise<Footprint> {
  const writes = await armWrites(stack);
  return { connections: await rowCount(stack, "Connections"), instances: await instanceCount(stack), ...writes };
}

/** Counts what changed between two footprints as garbage (nothing real happened in between). */
export function countGarbage(tally: Tally, what: string, before: Footprint, after: Footprint): void {
  tally.add(CATEGORIES.garbageRows, `${what}: connection rows`, after.connections - before.connections);
  tally.add(CATEGORIES.garbageInstances, `${what}: durable instances`, after.instances - before.instances);
  tally.add(CATEGORIES.unjustifiedApprovals, `${what}: connection writes`, after.approvals - before.approvals);
  tally.add(CATEGORIES.unjustifiedDeletes, `${what}: ARM deletes`, after.deletes - before.deletes);
}
