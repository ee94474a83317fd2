/**
 * The console's markup: what a platform team reads first thing in the morning. Pure functions of the data; every
 * value from outside is escaped by `html`. No script: filters are plain GET forms.
 */
import { encodeKey, tryParseArmId } from "../../domain/arm-id";
import type { Tenant } from "../../domain/tenant";
import type { AuditEntry, ConnectionRecord } from "../../ports/bookkeeping.port";
import { html, renderPage, type HtmlResponse, type SafeHtml } from "../pages/html";
import type { Principal } from "../principal";

/** A review waiting for a person, with the deadline its approval request announced. */
export interface WaitingReview {
  record: ConnectionRecord;
  deadline?: string;
}

/** Tenant id → display name, so rows name the tenant as people know it. */
export type TenantNames = ReadonlyMap<string, string>;

export function tenantNames(tenants: readonly Tenant[]): TenantNames {
  return new Map(tenants.map((t) => [t.tenantId.toLowerCase(), t.displayName]));
}

function tenantLabel(tenantId: string | undefined, names: TenantNames): SafeHtml {
  if (!tenantId) return html`<span class="muted">unknown tenant</span>`;
  const name = names.get(tenantId.toLowerCase());
  return name ? html`<span title="${tenantId}">${name}</span>` : html`${tenantId}`;
}

/** "2026-12-03 21:31 UTC": the absolute time beside the relative one. */
function stamp(iso: string): string {
  return `${iso.replace("T", " ").slice(0, 16)} UTC`;
}

export interface Overview {
  waiting: WaitingReview[];
  failed: ConnectionRecord[];
  recent: ConnectionRecord[];
  tenants: Tenant[];
}

const NEAR_QUOTA = 0.8;
const DAY_MS = 86_400_000;

export function portalUrl(armId: string): string {
  return `https://portal.azure.com/#@/resource${armId}`;
}

/** The last segment of an ARM id, with a link to its Azure portal blade. */
function resourceLink(armId: string | undefined): SafeHtml {
  if (!armId) return html`<span class="muted">—</span>`;
  const name = tryParseArmId(armId)?.name ?? armId;
  return html`<a href="${portalUrl(armId)}" title="${armId}" rel="noreferrer">${name}</a>`;
}

function connectionLink(record: ConnectionRecord): SafeHtml {
  const name = record.connectionId.split("/").pop() ?? record.connectionId;
  return html`<a href="/api/console/connections/${encodeKey(record.connectionId)}">${name}</a>`;
}

const STATE_CLASS: Record<string, string> = {
  approved: "ok",
  rejected: "bad",
  failed: "bad",
  "awaiting-approval": "warn",
  received: "muted",
  skipped: "muted",
  removed: "muted",
};

function stateBadge(state: string): SafeHtml {
  return html`<span class="badge ${STATE_CLASS[state] ?? "muted"}">${state}</span>`;
}

/** "in 5 h" / "3 d ago", from the server's clock (no script on the page). */
export function relative(iso: string | undefined, now: string): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return "unknown";
  const ms = Date.parse(iso) - Date.parse(now);
  const abs = Math.abs(ms);
  const text =
    abs < 3_600_000
      ? `${Math.max(1, Math.round(abs / 60_000))} min`
      : abs < 2 * DAY_MS
        ? `${Math.round(abs / 3_600_000)} h`
        : `${Math.round(abs / DAY_MS)} d`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

function when(iso: string | undefined, now: string): SafeHtml {
  return html`<time datetime="${iso ?? ""}" title="${iso ?? ""}">${relative(iso, now)}</time>`;
}

function nav(active: string): SafeHtml {
  const link = (href: string, label: string) =>
    html`<a href="${href}" ${active === label ? html` aria-current="page"` : ""}>${label}</a>`;
  return html`<nav class="tabs">
    ${link("/api/console", "Overview")} ${link("/api/console/connections", "Connections")}
    ${link("/api/console/tenants", "Tenants")}
  </nav>`;
}

function page(title: string, active: string, principal: Principal, body: SafeHtml, status = 200): HtmlResponse {
  return renderPage(
    {
      title,
      subtitle: `${principal.name} · ${principal.roles.join(", ")}`,
      body: html`<style>
          ${{ html: CONSOLE_STYLE }}
        </style>
        ${nav(active)} ${body}`,
    },
    status,
  );
}

function quotaUse(tenant: Tenant): SafeHtml {
  if (tenant.quota === undefined) return html`${tenant.usage} <span class="muted">(no limit)</span>`;
  const share = tenant.quota === 0 ? 1 : Math.min(tenant.usage / tenant.quota, 1);
  const tone = share >= 1 ? "bad" : share >= NEAR_QUOTA ? "warn" : "ok";
  return html`<span class="meter ${tone}" role="meter" aria-valuenow="${tenant.usage}" aria-valuemax="${tenant.quota}"
      ><span style="width:${Math.round(share * 100)}%"></span
    ></span>
    ${tenant.usage} / ${tenant.quota}`;
}

function nearQuota(tenants: readonly Tenant[]): Tenant[] {
  return tenants.filter((t) => t.status === "active" && t.quota !== undefined && t.usage >= t.quota * NEAR_QUOTA);
}

function tile(label: string, value: number, tone: string, href: string): SafeHtml {
  return html`<a class="tile ${tone}" href="${href}"><strong>${value}</strong><span>${label}</span></a>`;
}

function connectionRows(records: readonly ConnectionRecord[], names: TenantNames, now: string): SafeHtml {
  if (records.length === 0)
    return html`<tr>
      <td colspan="6" class="muted">Nothing here.</td>
    </tr>`;
  return html`${records.map(
    (r) =>
      html`<tr>
        <td>${connectionLink(r)}</td>
        <td>${stateBadge(r.state)}</td>
        <td>${tenantLabel(r.tenantId, names)}</td>
        <td>${resourceLink(r.providerResourceId)}</td>
        <td>${r.ruleId ?? ""}${r.decidedBy ? html`<br /><span class="muted">${r.decidedBy}</span>` : ""}</td>
        <td>${when(r.updatedAt, now)}</td>
      </tr>`,
  )}`;
}

const CONNECTION_HEAD = html`<thead>
  <tr>
    <th>Connection</th>
    <th>State</th>
    <th>Tenant</th>
    <th>Resource</th>
    <th>Rule / by</th>
    <th>Updated</th>
  </tr>
</thead>`;

export function overviewPage(data: Overview, principal: Principal, now: string): HtmlResponse {
  const soon = data.waiting.filter((w) => w.deadline && Date.parse(w.deadline) - Date.parse(now) < DAY_MS);
  const near = nearQuota(data.tenants);
  const names = tenantNames(data.tenants);
  const waitingRows =
    data.waiting.length === 0
      ? html`<tr>
          <td colspan="6" class="muted">No review is waiting for a person.</td>
        </tr>`
      : data.waiting.map(
          ({ record, deadline }) =>
            html`<tr>
              <td class="${deadline && Date.parse(deadline) - Date.parse(now) < DAY_MS ? "bad" : ""}">
                <strong>${when(deadline, now)}</strong><br /><span class="muted"
                  >${deadline ? stamp(deadline) : ""}</span
                >
              </td>
              <td>${connectionLink(record)}</td>
              <td>${tenantLabel(record.tenantId, names)}</td>
              <td>${resourceLink(record.providerResourceId)}</td>
              <td>${record.ruleId ?? ""}<br /><span class="muted">${record.reason ?? ""}</span></td>
              <td>${when(record.createdAt, now)}</td>
            </tr>`,
        );
  return page(
    "Good morning",
    "Overview",
    principal,
    html`<section class="tiles">
        ${tile("waiting for a person", data.waiting.length, data.waiting.length ? "warn" : "ok", "#waiting")}
        ${tile("due within 24 h", soon.length, soon.length ? "bad" : "ok", "#waiting")}
        ${tile("failed reviews", data.failed.length, data.failed.length ? "bad" : "ok", "/api/console/connections?state=failed")}
        ${tile("tenants near quota", near.length, near.length ? "warn" : "ok", "/api/console/tenants")}
      </section>
      <h2 id="waiting">Waiting for a person, nearest deadline first</h2>
      <table>
        <thead>
          <tr>
            <th>Deadline</th>
            <th>Connection</th>
            <th>Tenant</th>
            <th>Resource</th>
            <th>Why a person</th>
            <th>Waiting since</th>
          </tr>
        </thead>
        <tbody>
          ${waitingRows}
        </tbody>
      </table>
      ${
        data.failed.length
          ? html`<h2>Failed: nothing was approved, someone should look</h2>
              <table>
                ${CONNECTION_HEAD}
                <tbody>
                  ${connectionRows(data.failed, names, now)}
                </tbody>
              </table>`
          : ""
      }
      <h2>Latest decisions</h2>
      <table>
        ${CONNECTION_HEAD}
        <tbody>
          ${connectionRows(data.recent, names, now)}
        </tbody>
      </table>
      ${
        near.length
          ? html`<h2>Tenants near their quota</h2>
              ${tenantTable(near)}`
          : ""
      }`,
  );
}

export interface ConnectionFilters {
  state?: string;
  tenant?: string;
  resource?: string;
}

const STATES = ["awaiting-approval", "approved", "rejected", "failed", "received", "skipped", "removed"];

export function connectionsPage(
  records: readonly ConnectionRecord[],
  names: TenantNames,
  filters: ConnectionFilters,
  principal: Principal,
  now: string,
  problem?: string,
): HtmlResponse {
  const option = (value: string) =>
    html`<option value="${value}" ${filters.state === value ? html` selected` : ""}>${value || "any state"}</option>`;
  return page(
    "Connections",
    "Connections",
    principal,
    html`<form class="filters" method="get" action="/api/console/connections">
        <label
          >State
          <select name="state">
            ${["", ...STATES].map(option)}
          </select></label
        >
        <label
          >Tenant <input type="text" name="tenant" value="${filters.tenant ?? ""}" placeholder="tenant id"
        /></label>
        <label
          >Resource
          <input type="text" name="resource" value="${filters.resource ?? ""}" placeholder="provider resource id"
        /></label>
        <button type="submit">Filter</button>
      </form>
      ${problem ? html`<p class="notice bad" role="alert">${problem}</p>` : ""}
      <p class="muted">${records.length} connection${records.length === 1 ? "" : "s"}</p>
      <table>
        ${CONNECTION_HEAD}
        <tbody>
          ${connectionRows(records, names, now)}
        </tbody>
      </table>`,
    problem ? 400 : 200,
  );
}

export function connectionPage(
  record: ConnectionRecord,
  history: readonly AuditEntry[],
  principal: Principal,
  now: string,
): HtmlResponse {
  const name = record.connectionId.split("/").pop() ?? record.connectionId;
  const timeline = [...history].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const dns = record.dnsRecords ?? [];
  return page(
    name,
    "Connections",
    principal,
    html`<section class="card">
        <dl>
          <dt>State</dt>
          <dd>
            ${stateBadge(record.state)}
            ${record.azureStatus ? html`<span class="muted">Azure: ${record.azureStatus}</span>` : ""}
          </dd>
          <dt>Resource</dt>
          <dd>
            ${resourceLink(record.providerResourceId)} <span class="muted">${record.providerResourceType ?? ""}</span>
          </dd>
          <dt>Private endpoint</dt>
          <dd>${resourceLink(record.privateEndpointId)}</dd>
          <dt>Tenant</dt>
          <dd>${record.tenantId ?? "unknown"}</dd>
          <dt>Decision</dt>
          <dd>
            ${record.verdict ?? "—"}
            ${record.ruleId ? html`(rule ${record.ruleId})` : ""}${record.decidedBy ? html` by ${record.decidedBy}` : ""}
          </dd>
          <dt>Reason</dt>
          <dd>${record.reason ?? "—"}</dd>
          <dt>Policy version</dt>
          <dd>${record.policyVersion ?? "—"}</dd>
          <dt>DNS</dt>
          <dd>
            ${
              dns.length
                ? dns.map(
                    (d) =>
                      html`<div>
                        ${d.name}.${d.zone} → ${d.ipAddresses.join(", ")} <span class="muted">(${d.outcome})</span>
                      </div>`,
                  )
                : (record.dnsNote ?? "—")
            }
          </dd>
          <dt>Connection id</dt>
          <dd><code>${record.connectionId}</code></dd>
        </dl>
      </section>
      <h2>Timeline</h2>
      <ol class="timeline">
        ${timeline.map(
          (e) =>
            html`<li>
              <time datetime="${e.at}" title="${e.at}">${e.at.replace("T", " ").slice(0, 19)} UTC</time>
              <span class="badge">${e.kind}</span> <span class="muted">${e.actor}</span>
              <div>${e.message}</div>
            </li>`,
        )}
      </ol>
      <p class="muted">Updated ${relative(record.updatedAt, now)}.</p>`,
  );
}

function tenantTable(tenants: readonly Tenant[]): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        <th>Tenant</th>
        <th>Status</th>
        <th>Quota use</th>
        <th>Subscriptions</th>
        <th>Approvers</th>
      </tr>
    </thead>
    <tbody>
      ${tenants.map(
        (t) =>
          html`<tr>
            <td>
              <a href="/api/console/connections?tenant=${encodeURIComponent(t.tenantId)}">${t.displayName}</a
              ><br /><span class="muted">${t.tenantId}</span>
            </td>
            <td><span class="badge ${t.status === "active" ? "ok" : "bad"}">${t.status}</span></td>
            <td class="quota">${quotaUse(t)}</td>
            <td>
              ${t.subscriptions.map((s) => html`<a href="${portalUrl(`/subscriptions/${s}`)}" rel="noreferrer">${s}</a><br />`)}
            </td>
            <td>${t.approvers.join(", ")}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function tenantsPage(tenants: readonly Tenant[], principal: Principal): HtmlResponse {
  return page("Tenants", "Tenants", principal, html`${tenantTable(tenants)}`);
}

/** Not signed in, or signed in without the Reader role: say what to do, with the sign-in link. */
export function refusalPage(status: 401 | 403, path: string, message: string): HtmlResponse {
  const signIn = `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(path)}`;
  return renderPage(
    {
      title: status === 401 ? "Sign in to see the console" : "You need the Reader role",
      body: html`<p class="notice">${message}</p>
        ${status === 401 ? html`<p><a href="${signIn}">Sign in with Microsoft Entra ID</a></p>` : ""}`,
    },
    status,
  );
}

const CONSOLE_STYLE = `
main{max-width:84rem}
.tabs{display:flex;gap:1rem;margin:-.5rem 0 1rem;border-bottom:1px solid var(--line)}
.tabs a{padding:.4rem 0;text-decoration:none;color:var(--muted)}.tabs a[aria-current]{color:var(--fg);border-bottom:2px solid var(--accent)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;margin-bottom:1rem}
.tile{display:flex;flex-direction:column;padding:.8rem 1rem;border:1px solid var(--line);border-radius:8px;background:var(--card);text-decoration:none;color:var(--fg)}
.tile strong{font-size:1.8rem;line-height:1.1}.tile.ok strong{color:var(--ok)}.tile.warn strong{color:var(--warn)}.tile.bad strong{color:var(--bad)}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin-bottom:1rem}.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);min-width:12rem}
.filters select,.filters input{font:inherit;padding:.45rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.filters button{min-height:auto}
.quota{white-space:nowrap}.meter{display:inline-block;width:6rem;height:.5rem;border-radius:1rem;background:var(--line);vertical-align:middle;overflow:hidden}
.meter span{display:block;height:100%;background:currentColor}
.timeline{list-style:none;padding:0;border-left:2px solid var(--line);margin-left:.5rem}
.timeline li{padding:.3rem 0 .6rem 1rem;position:relative}.timeline time{font-variant-numeric:tabular-nums;margin-right:.5rem}
td.bad strong{color:var(--bad)}.badge,time,th{white-space:nowrap}code{font-size:.85em;overflow-wrap:anywhere}
`;
