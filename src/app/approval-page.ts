import type { ApprovalClaims } from "../domain/approval-token";
import { DomainError } from "../domain/errors";
import { formatUtc } from "../domain/format-utc";
import type { AuditEntry, Bookkeeping, ConnectionRecord } from "../ports/bookkeeping.port";
import type { ApprovalKeyRing } from "./approval-links";
import { decide, MAX_REASON_CHARS, recordNotAnApprover, type DecideDeps } from "./approval-service";
import { html, renderPage, tableSection, type HtmlResponse, type SafeHtml } from "./pages/html";
import { isSamePerson, type Principal } from "./principal";

export interface ApprovalPageDeps extends DecideDeps {
  keys: ApprovalKeyRing;
  /** App Service authentication's sign-in path: /.auth/login/aad in Azure. */
  signInPath: string;
  /** The origin the page is served from: a POST whose Origin differs is refused. */
  origin: string;
  log: (message: string) => void;
}

export interface PageRequest {
  token: string;
  principal: Principal | undefined;
  /** The path of this page, to come back to after signing in. */
  path: string;
}

/** GET /api/approvals/{token}: shows the request and the form; never decides (mail scanners open links). */
export async function showApprovalPage(req: PageRequest, deps: ApprovalPageDeps): Promise<HtmlResponse> {
  const checked = await checkLink(req, deps);
  if ("page" in checked) return checked.page;
  const { claims, principal, record } = checked;
  const used = await linkUse(deps.bookkeeping, claims);
  if (used) return decidedPage(used, principal, record);
  const status = await deps.reviews.status(claims.instanceId);
  if (record.instanceId === claims.instanceId && status?.customStatus?.step === "asking-approvers") {
    return refusal(
      409,
      "This review is not ready yet",
      principal,
      "It is still asking its approvers; reload in a few seconds.",
    );
  }
  const waiting =
    record.instanceId === claims.instanceId &&
    status?.runtimeStatus === "Running" &&
    status.customStatus?.step === "awaiting-approval";
  if (!waiting) return endedPage(record, principal);
  const approvers = status.customStatus?.approvers ?? [];
  if (!approvers.some((a) => isSamePerson(principal, a))) {
    await recordNotAnApprover(deps, record, principal, "page");
    return refusal(403, "You are not an approver of this review", principal, "Ask one of the review's approvers.");
  }
  const audit = await deps.bookkeeping.listAudit(record.connectionId, 50);
  const deadline = status.customStatus?.deadline;
  const onDeadline = status.customStatus?.onDeadline ?? "reject";
  const body = html` <p class="notice">
      ${onDeadline === "approve" ? "Approved" : "Rejected"} automatically at
      <strong>${deadline ? formatUtc(deadline) : "the deadline"}</strong> if nobody decides.
    </p>
    ${await requestCard(record, deps.bookkeeping)} ${traceCard(audit)}
    <form method="post" class="card" aria-label="Decision">
      <input type="hidden" name="form" value="${deps.keys.formToken(claims.nonce, principal.id)}" />
      <label for="reason"><strong>Reason</strong> (the consumer sees it in the connection's description)</label>
      <textarea id="reason" name="reason" rows="3" maxlength="${MAX_REASON_CHARS}"></textarea>
      <div class="actions">
        <button class="approve" type="submit" name="decision" value="approve">Approve</button>
        <button class="reject" type="submit" name="decision" value="reject">Reject</button>
      </div>
    </form>
    ${auditCard(audit)}`;
  return renderPage({ title: "Approve this private endpoint connection?", subtitle: principal.name, body });
}

/** POST /api/approvals/{token}: a same-origin form from the signed-in approver decides, once. */
export async function submitApproval(
  req: PageRequest & { form: URLSearchParams; headers: { get(name: string): string | null } },
  deps: ApprovalPageDeps,
): Promise<HtmlResponse> {
  // Browsers say where a form came from in Sec-Fetch-Site; with our no-referrer policy their Origin is "null", so
  // Origin decides only for clients that do not send Sec-Fetch-Site.
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  const sameOrigin = site !== null ? site === "same-origin" : origin === deps.origin;
  if (!sameOrigin) {
    deps.log(`Approval POST refused: origin ${origin ?? "none"}, sec-fetch-site ${site ?? "none"}.`);
    return refusal(
      403,
      "This form was sent from another site",
      req.principal,
      "Nothing was decided. Open the approval link from your email or Teams and decide on that page.",
    );
  }
  const checked = await checkLink(req, deps);
  if ("page" in checked) return checked.page;
  const { claims, principal } = checked;
  const decision = req.form.get("decision");
  const form = req.form.get("form") ?? "";
  if (!deps.keys.formTokenMatches(form, claims.nonce, principal.id)) {
    return refusal(403, "This form has expired", principal, "Nothing was decided. Open the link again and decide.");
  }
  if (decision !== "approve" && decision !== "reject") {
    return refusal(400, "Choose Approve or Reject", principal, "Nothing was decided. Open the link again.");
  }
  const reason = req.form.get("reason") ?? "";
  const result = await decide(
    {
      connectionId: claims.connectionId,
      instanceId: claims.instanceId,
      decision,
      reason,
      principal,
      via: "page",
      claim: (record) =>
        deps.bookkeeping.appendAudit({
          connectionId: record.connectionId,
          stepId: linkStep(claims),
          at: deps.now(),
          kind: "decision",
          actor: principal.name,
          message: `${decision === "approve" ? "Approved" : "Rejected"} on the approval page by ${principal.name}${reason.trim() ? `: ${reason.trim().slice(0, MAX_REASON_CHARS)}` : ""}`,
          data: { decision, approver: principal.name, reason: reason.trim().slice(0, MAX_REASON_CHARS) },
        }),
    },
    deps,
  );
  if (!result.ok) {
    return refusal(result.status, "Nothing was decided", principal, result.message);
  }
  // Post/redirect/get: a reload does not post again, and the page now shows the decision.
  return { status: 303, body: "", headers: { location: req.path, "cache-control": "no-store" } };
}

type Checked = { page: HtmlResponse } | { claims: ApprovalClaims; principal: Principal; record: ConnectionRecord };

/** Signed in, a genuine unexpired link, for this person, about a connection we know. Each refusal is recorded. */
async function checkLink(req: PageRequest, deps: ApprovalPageDeps): Promise<Checked> {
  if (!req.principal) {
    const back = encodeURIComponent(req.path);
    return {
      page: { status: 302, body: "", headers: { location: `${deps.signInPath}?post_login_redirect_uri=${back}` } },
    };
  }
  const principal = req.principal;
  let claims: ApprovalClaims;
  try {
    claims = await deps.keys.verify(req.token, deps.now());
  } catch (error) {
    const code = error instanceof DomainError ? error.code : "TOKEN_MALFORMED";
    deps.log(`Approval link refused for ${principal.name}: ${code}.`);
    const message = error instanceof DomainError ? error.message : "The approval link is not valid.";
    const title = code === "TOKEN_EXPIRED" ? "This approval link has expired" : "This approval link is not valid";
    return { page: refusal(code === "TOKEN_EXPIRED" ? 410 : 400, title, principal, message) };
  }
  const record = await deps.bookkeeping.getConnection(claims.connectionId);
  if (!record) {
    return { page: refusal(404, "This review is unknown", principal, "No review has recorded this connection.") };
  }
  if (!claims.approver || !isSamePerson(principal, claims.approver)) {
    await deps.bookkeeping.appendAudit({
      connectionId: record.connectionId,
      stepId: `${claims.instanceId}:link-foreign-${principal.id}-${claims.nonce}`,
      at: deps.now(),
      kind: "decision",
      actor: principal.name,
      message: `Refused: ${principal.name} opened an approval link made for ${claims.approver ?? "nobody"}.`,
    });
    return {
      page: refusal(
        403,
        "This link was sent to someone else",
        principal,
        `It is for ${claims.approver ?? "another approver"}; you are signed in as ${principal.name}. Use the link sent to you.`,
      ),
    };
  }
  return { claims, principal, record };
}

function linkStep(claims: ApprovalClaims): string {
  return `${claims.instanceId}:approval-link-${claims.nonce}`;
}

async function linkUse(bookkeeping: Bookkeeping, claims: ApprovalClaims): Promise<AuditEntry | undefined> {
  const step = linkStep(claims);
  return (await bookkeeping.listAudit(claims.connectionId, 200)).find((e) => e.stepId === step);
}

function decidedPage(used: AuditEntry, principal: Principal, record: ConnectionRecord): HtmlResponse {
  const decision = used.data?.decision === "approve" ? "approve" : "reject";
  const reason = typeof used.data?.reason === "string" && used.data.reason ? used.data.reason : undefined;
  const body = html` <p class="notice">
      <strong class="${decision === "approve" ? "ok" : "bad"}"
        >${decision === "approve" ? "Approved" : "Rejected"}</strong
      >
      by ${used.actor} at ${used.at}${reason ? html`: “${reason}”` : ""}.
    </p>
    <p>This link has been used; it cannot decide again.</p>
    ${statusCard(record)}`;
  return renderPage({ title: "Decision recorded", subtitle: principal.name, body });
}

function endedPage(record: ConnectionRecord, principal: Principal): HtmlResponse {
  const body = html`<p class="notice">This review is not waiting for a decision any more; nothing was changed.</p>
    ${statusCard(record)}`;
  return renderPage({ title: "This review has ended", subtitle: principal.name, body }, 409);
}

function statusCard(record: ConnectionRecord): SafeHtml {
  return html`<section class="card">
    <dl>
      <dt>Connection</dt>
      <dd>${record.connectionId}</dd>
      <dt>State</dt>
      <dd><span class="badge">${record.state}</span> ${record.azureStatus ? `(Azure: ${record.azureStatus})` : ""}</dd>
      <dt>Decided by</dt>
      <dd>${record.decidedBy ?? "not yet"}</dd>
      <dt>Reason</dt>
      <dd>${record.reason ?? ""}</dd>
      <dt>Updated</dt>
      <dd>${record.updatedAt}</dd>
    </dl>
  </section>`;
}

async function requestCard(record: ConnectionRecord, bookkeeping: Bookkeeping): Promise<SafeHtml> {
  const tenant = record.tenantId ? await bookkeeping.getTenant(record.tenantId) : undefined;
  const last = (id: string | undefined): string => id?.split("/").pop() ?? "unknown";
  return html`<section class="card" aria-label="Request">
    <h2>The request</h2>
    <dl>
      <dt>Tenant</dt>
      <dd>${tenant?.displayName ?? "unknown tenant"}</dd>
      <dt>Consumer subscription</dt>
      <dd>${record.consumerSubscriptionId ?? "unknown"}</dd>
      <dt>Private endpoint</dt>
      <dd>${last(record.privateEndpointId)}</dd>
      <dt>Resource</dt>
      <dd>${last(record.providerResourceId)} (${record.providerResourceType ?? "unknown type"})</dd>
      <dt>Group id</dt>
      <dd>${(record.groupIds ?? []).join(", ") || "none"}</dd>
      <dt>Policy said</dt>
      <dd>
        ${record.verdict ?? "review"}, rule <code>${record.ruleId ?? "?"}</code>, policy ${record.policyVersion ?? "?"}
      </dd>
      <dt>Why</dt>
      <dd>${record.reason ?? ""}</dd>
    </dl>
  </section>`;
}

function traceCard(audit: AuditEntry[]): SafeHtml {
  const trace = audit.find((e) => e.stepId.endsWith(":decision"))?.data?.trace;
  if (!Array.isArray(trace)) return html``;
  const rows = (trace as { ruleId?: unknown; matched?: unknown; detail?: unknown }[]).map((t) => [
    String(t.ruleId),
    t.matched ? "matched" : "no",
    String(t.detail),
  ]);
  return tableSection("Policy trace", "Policy trace", ["Rule", "Result", "Detail"], rows);
}

function auditCard(audit: AuditEntry[]): SafeHtml {
  const rows = audit
    .slice()
    .reverse()
    .map((e) => [formatUtc(e.at), e.actor, e.message]);
  return tableSection("History", "History so far", ["When (UTC)", "Who", "What"], rows);
}

function refusal(status: number, title: string, principal: Principal | undefined, message: string): HtmlResponse {
  return renderPage(
    { title, ...(principal ? { subtitle: principal.name } : {}), body: html`<p class="notice">${message}</p>` },
    status,
  );
}
