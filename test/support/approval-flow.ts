/** Shared steps of the approval end-to-end tests: start a review that needs a person, and find what it sent. */
import type { InboxItem } from "../../sandbox";
import { estateOf, type E2eStack } from "../e2e/e2e-stack";
import { until } from "./until";

export const APPROVER = "approver@contoso.example";
export const SECOND_APPROVER = "second@contoso.example";
export const LEAD = "lead@contoso.example";
/** Every request goes to a person (see the fixture). */
export const EVERYONE_REVIEWS = "file:test/fixtures/approval/everyone-reviews.yaml";

/** A Fabrikam endpoint (readable, unwatched) on the PostgreSQL server, reviewed on request; waits until it waits. */
export async function reviewNeedingAPerson(
  stack: E2eStack,
  name: string,
  consumer: "fabrikam" | "northwind" = "fabrikam",
): Promise<{ connectionId: string; privateEndpointId: string }> {
  const estate = estateOf(stack);
  const who = stack.sandbox.estate.consumers.find((c) =>
    consumer === "fabrikam" ? c.readableByApp && !c.watched : !c.readableByApp,
  )!;
  const pe = await stack.createEndpoint({
    consumer: who,
    name,
    targetResourceId: consumer === "fabrikam" ? estate.postgres.id : estate.pls.id,
    requestMessage: "reporting replica for the finance team",
  });
  const asked = await stack.api("POST", "/reviews", { connectionId: pe.connectionId });
  if (asked.status !== 202) throw new Error(`review not started: ${JSON.stringify(asked.body)}`);
  const row = await stack.waitForConnection(pe.connectionId, ["awaiting-approval"]);
  await waitForApprovers(stack, row.instanceId);
  return pe;
}

/** The review's own list of who may decide (its custom status), once it has asked them. */
export function waitForApprovers(stack: E2eStack, instanceId: string): Promise<string[]> {
  const url = `${stack.devhost.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?code=${encodeURIComponent(stack.devhost.keys.durableTask)}`;
  return until(async () => {
    const res = await fetch(url);
    const status = res.ok ? ((await res.json()) as { customStatus?: { approvers?: string[] } }) : undefined;
    const approvers = status?.customStatus?.approvers;
    return approvers && approvers.length > 0 ? approvers : undefined;
  }, `the approvers of ${instanceId}`);
}

export function inboxFor(stack: E2eStack, endpointName: string, kind?: InboxItem["kind"]): InboxItem[] {
  return stack.sandbox.inbox().filter((i) => (!kind || i.kind === kind) && JSON.stringify(i).includes(endpointName));
}

/** The personal link in the email sent to `approver` about `endpointName`. */
export function waitForLink(stack: E2eStack, endpointName: string, approver: string): Promise<string> {
  return until(() => {
    const mail = inboxFor(stack, endpointName, "email").find((m) => m.to.includes(approver));
    return mail ? /Review and decide: (\S+)/.exec(mail.plainText ?? "")?.[1] : undefined;
  }, `the email to ${approver}`);
}

/** The connection as the sandbox's ARM has it. */
export async function armConnection(stack: E2eStack, connectionId: string) {
  const version = /privateLinkServices/i.test(connectionId) ? "2023-05-01" : "2024-08-01";
  const res = await stack.arm("GET", `${connectionId}?api-version=${version}`);
  return res.body.properties.privateLinkServiceConnectionState as { status: string; description: string };
}
