import { performance } from "node:perf_hooks";
import type { ConnectionRequest } from "../src/domain/connection";
import {
  evaluatePolicy,
  evaluatePolicyInOrder,
  parsePolicy,
  type Policy,
  type PolicyDocument,
} from "../src/domain/policy";
import type { Tenant } from "../src/domain/tenant";
import { repeat, retainedBytes, row, type BenchRow, type BenchSuite } from "./harness";

// Policy decisions per second as the rule count grows (10 → 100 → 1,000), over 10,000 generated tenants.
// Everything is generated from a fixed seed so runs compare; the 10-rule policy is the baseline.

const TENANTS = 10_000;
const REQUESTS = 2_000;
const RUNS = 5;
const MIN_MS = 300;

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const guid = (n: number, tag: string) =>
  `${n.toString(16).padStart(8, "0")}-${tag}-4000-8000-${n.toString(16).padStart(12, "0")}`;

function tenants(random: () => number): Tenant[] {
  const statuses = ["active", "active", "active", "suspended", "offboarded"] as const;
  return Array.from({ length: TENANTS }, (_, i) => ({
    tenantId: guid(i, "aaaa"),
    displayName: `Tenant ${i}`,
    status: statuses[Math.floor(random() * statuses.length)]!,
    subscriptions: [guid(i, "bbbb"), guid(i + TENANTS, "bbbb")],
    approvers: [`owner${i}@tenant.example`],
    quota: 10,
    usage: Math.floor(random() * 12),
  }));
}

/** Rules that mostly miss (so evaluation walks the list), each with a different mix of conditions, then the sample's tail. */
function policyWith(ruleCount: number): Policy {
  const rules: PolicyDocument["rules"] = [];
  for (let i = 0; i < ruleCount - 4; i++) {
    const kind = i % 4;
    rules.push({
      id: `r${i}`,
      when:
        kind === 0
          ? { resource: { id: `/subscriptions/*/resourceGroups/rg-${i}/**` }, tenant: { status: "active" } }
          : kind === 1
            ? { resource: { tags: { costcenter: `cc-${i}` } }, groupId: ["blob", "sqlServer"] }
            : kind === 2
              ? { consumer: { subscription: [guid(900_000 + i, "cccc")] } }
              : { requestMessage: { matches: `^REQ-${i}-\\d{4}` }, location: ["northeurope"] },
      then: { verdict: "reject", reason: `rule ${i}` },
    });
  }
  rules.push(
    {
      id: "suspended",
      when: { tenant: { status: ["suspended", "offboarded"] } },
      then: { verdict: "reject", reason: "s" },
    },
    {
      id: "prod-ticket",
      when: { resource: { tags: { environment: "prod" } }, requestMessage: { notMatches: "CHG\\d{7}" } },
      then: { verdict: "reject", reason: "t" },
    },
    {
      id: "quota",
      when: { tenant: { status: "active", quotaExceeded: true } },
      then: { verdict: "review", reason: "q", review: { deadline: "PT48H" } },
    },
    {
      id: "known",
      when: { tenant: { status: "active", subscriptionAllowed: true } },
      then: { verdict: "approve", reason: "k" },
    },
  );
  return parsePolicy(JSON.stringify({ schemaVersion: 1, rules, default: { verdict: "review", reason: "d" } }));
}

function requests(random: () => number, all: Tenant[]): { request: ConnectionRequest; tenant?: Tenant }[] {
  return Array.from({ length: REQUESTS }, (_, i) => {
    const tenant = random() < 0.9 ? all[Math.floor(random() * all.length)] : undefined;
    const provider = `/subscriptions/${guid(7, "dddd")}/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-${i % 50}`;
    const request: ConnectionRequest = {
      connectionId: `${provider}/privateEndpointConnections/pe-${i}`,
      providerResourceId: provider,
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
      providerResourceTags: { environment: i % 3 === 0 ? "prod" : "test" },
      groupIds: ["postgresqlServer"],
      consumerSubscriptionId: tenant?.subscriptions[0] ?? guid(i, "eeee"),
      requestMessage: i % 2 === 0 ? `Please connect, CHG${String(i).padStart(7, "0")}` : "Please connect",
      location: "westeurope",
      status: "Pending",
      source: "sweep",
      observedAt: "2026-03-02T09:30:00Z",
    };
    return tenant ? { request, tenant } : { request };
  });
}

type Evaluate = typeof evaluatePolicy;

/** Decisions per second; `readTrace` also reads each decision's trace (written on first read), as the audit does. */
function decisionsPerSecond(
  policy: Policy,
  inputs: { request: ConnectionRequest; tenant?: Tenant }[],
  evaluate: Evaluate = evaluatePolicy,
  readTrace = false,
): number {
  const start = performance.now();
  let approvals = 0;
  for (const input of inputs) {
    const decision = evaluate(policy, { ...input, now: "2026-03-02T09:30:00Z" });
    if (decision.verdict === "approve" && (!readTrace || decision.trace.length > 0)) approvals++;
  }
  const seconds = (performance.now() - start) / 1000;
  if (approvals === 0) throw new Error("the generated workload never reaches the approve rule; the bench is wrong");
  return inputs.length / seconds;
}

export const suite: BenchSuite = {
  name: `policy: decisions per second (${TENANTS.toLocaleString("en")} tenants, ${REQUESTS.toLocaleString("en")} requests round-robin for ≥${MIN_MS} ms per run, median of ${RUNS})`,
  async run(): Promise<BenchRow[]> {
    const random = prng(20260302);
    const inputs = requests(random, tenants(random));
    const out: BenchRow[] = [];
    const ten = policyWith(10);
    const base = await repeat(RUNS, () => decisionsPerSecond(ten, inputs));
    const baseline = { name: "10 rules", samples: base };
    out.push(row("10 rules", "decisions/s", base));
    for (const n of [100, 1000]) {
      const policy = policyWith(n);
      out.push(
        row(
          `${n.toLocaleString("en")} rules`,
          "decisions/s",
          await repeat(RUNS, () => decisionsPerSecond(policy, inputs)),
          baseline,
        ),
      );
    }
    // The same 1,000 rules tried one after the other (the engine before the index), and with the trace read.
    const thousand = policyWith(1000);
    const inOrder = await repeat(RUNS, () => decisionsPerSecond(thousand, inputs, evaluatePolicyInOrder));
    const indexed = {
      name: "1,000 rules, indexed",
      samples: await repeat(RUNS, () => decisionsPerSecond(thousand, inputs)),
    };
    out.push(row("1,000 rules, tried one after the other (no index)", "decisions/s", inOrder, indexed));
    out.push(
      row(
        "1,000 rules, indexed, trace read",
        "decisions/s",
        await repeat(RUNS, () => decisionsPerSecond(thousand, inputs, evaluatePolicy, true)),
        indexed,
      ),
    );
    const parseMs = await repeat(RUNS, () => {
      const start = performance.now();
      policyWith(1000);
      return performance.now() - start;
    });
    out.push(row("parse + validate + compile a 1,000-rule policy", "ms", parseMs));
    const kib = (n: number) => () => retainedBytes(() => policyWith(n)).then((b) => b / 1024);
    out.push(
      row("heap retained by a compiled 1,000-rule policy", "KiB", await repeat(RUNS, kib(1000)), {
        name: "10-rule policy",
        samples: await repeat(RUNS, kib(10)),
      }),
    );
    const tenantKib = await repeat(RUNS, () => retainedBytes(() => tenants(prng(1))).then((b) => b / 1024));
    out.push(row(`heap retained by ${TENANTS.toLocaleString("en")} tenant records`, "KiB", tenantKib));
    return out;
  },
};
