/** Wires the in-memory fakes of every port to the real activities, for orchestration tests. */
import { expect } from "vitest";
import { parsePolicy } from "../../src/domain/policy";
import { InMemoryBookkeeping } from "../../src/ports/bookkeeping.in-memory";
import { InMemoryConnectionGateway } from "../../src/ports/connection-gateway.in-memory";
import { InMemoryDnsRegistrar } from "../../src/ports/dns-registrar.in-memory";
import { plainLinks, RecordingChannel } from "../../src/ports/notifier.in-memory";
import { StaticPolicySource } from "../../src/ports/policy-source.in-memory";
import { createActivities } from "../../src/workflow/activities";
import { connectionReviewOrchestration } from "../../src/workflow/connection-review.orchestration";
import type { ReviewOutcome } from "../../src/workflow/contracts";
import type { ActivityName } from "../../src/workflow/names";
import { aConnectionId, aPrivateLinkServiceId } from "./builders";
import { replay, runOrchestration, type DriverOptions } from "./orchestration-driver";

export const TEST_POLICY = `
schemaVersion: 1
rules:
  - id: tenant-suspended
    when: { tenant: { status: [suspended, offboarded] } }
    then: { verdict: reject, reason: Your organisation's access is suspended. }
  - id: known-tenant
    when: { tenant: { status: active, subscriptionAllowed: true } }
    then: { verdict: approve, reason: A registered tenant from its own subscription. }
default:
  verdict: review
  reason: Unknown tenant; a person decides.
  review:
    approvers: [ops@contoso.example, alice@contoso.example, bob@contoso.example]
    deadline: PT48H
    reminders: [PT24H]
    onDeadline: reject
`;

export function reviewHarness(policyText = TEST_POLICY) {
  const gateway = new InMemoryConnectionGateway();
  const dns = new InMemoryDnsRegistrar();
  const bookkeeping = new InMemoryBookkeeping();
  const teams = new RecordingChannel("teams");
  const email = new RecordingChannel("email");
  const policy = new StaticPolicySource(parsePolicy(policyText));
  gateway.resources.push({ id: aPrivateLinkServiceId(), type: "Microsoft.Network/privateLinkServices" });
  const activities = createActivities({
    gateway,
    dns,
    bookkeeping,
    approval: {
      channels: [teams, email],
      links: plainLinks,
      defaultApprovers: [],
      defaultChannels: ["teams", "email"],
    },
    policy,
    managedScopes: ["/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/provider-rg"],
    privateLinkServiceDns: { zone: "privatelink.services.contoso.example", nameTemplate: "{tenant}.{service}" },
  });
  return {
    gateway,
    dns,
    bookkeeping,
    teams,
    email,
    policy,
    activities,
    /** Calls an activity by its registered name, as the durable runtime does. */
    run: (name: ActivityName, input: unknown): Promise<unknown> =>
      (activities[name] as (input: unknown) => Promise<unknown>)(input),
  };
}

/**
 * A concurrent approval that takes the tenant's last unit of quota between this review's policy and its own
 * reservation: the first reservation made through `bookkeeping` is preceded by another connection's.
 */
export function raceForLastUnit(bookkeeping: InMemoryBookkeeping, tenantId = "contoso"): void {
  const reserve = bookkeeping.reserveQuota.bind(bookkeeping);
  let raced = false;
  bookkeeping.reserveQuota = async (tenant, connectionId, limit) => {
    if (!raced) await reserve(tenantId, aConnectionId({ name: "other" }), 1);
    raced = true;
    return reserve(tenant, connectionId, limit);
  };
}

/**
 * Runs the review orchestration to its end, checks that its history replays to the same outcome, and gives the
 * inputs each activity was called with.
 */
export async function runReview(options: DriverOptions) {
  const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
  const inputs = (name: string) => result.activityCalls.filter((c) => c.name === name).map((c) => c.input);
  return { ...result, output: result.output!, inputs };
}
