/** The console's routes: who may look (the Reader role), what they see, read from bookkeeping only. */
import type { Bookkeeping, ConnectionRecord } from "../../ports/bookkeeping.port";
import { authorise } from "../access";
import { getConnection, listConnections } from "../http-api";
import type { ApiRequest } from "../operator-http";
import { renderPage, html, type HtmlResponse } from "../pages/html";
import type { Principal } from "../principal";
import {
  connectionPage,
  connectionsPage,
  overviewPage,
  refusalPage,
  tenantNames,
  tenantsPage,
  type ConnectionFilters,
  type WaitingReview,
} from "./console-view";

export interface ConsoleDeps {
  bookkeeping: Bookkeeping;
  now: () => string;
}

type Page = (request: ApiRequest, principal: Principal, deps: ConsoleDeps) => Promise<HtmlResponse>;

const WAITING_LIMIT = 200;
const RECENT = 12;

/** Runs a page for a caller with the Reader role; others get a page that says how to get in. */
export async function consolePage(page: Page, request: ApiRequest, deps: ConsoleDeps): Promise<HtmlResponse> {
  const access = authorise(request.headers, "Reader");
  if (access.ok) return page(request, access.principal, deps);
  const { status, jsonBody } = access.response;
  const message = (jsonBody as { error: { message: string } }).error.message;
  return refusalPage(status === 401 ? 401 : 403, new URL(request.url).pathname, message);
}

export const overview: Page = async (_request, principal, { bookkeeping, now }) => {
  const [awaiting, failed, approved, rejected, tenants] = await Promise.all([
    bookkeeping.listConnections({ state: "awaiting-approval", limit: WAITING_LIMIT }),
    bookkeeping.listConnections({ state: "failed", limit: 50 }),
    bookkeeping.listConnections({ state: "approved", limit: 200 }),
    bookkeeping.listConnections({ state: "rejected", limit: 200 }),
    bookkeeping.listTenants(),
  ]);
  const waiting = await Promise.all(awaiting.map(async (record) => withDeadline(record, bookkeeping)));
  waiting.sort((a, b) => (a.deadline ?? "9999").localeCompare(b.deadline ?? "9999"));
  const recent = [...approved, ...rejected].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, RECENT);
  return overviewPage({ waiting, failed, recent, tenants }, principal, now());
};

export const connections: Page = async (request, principal, { bookkeeping, now }) => {
  const filters: ConnectionFilters = {};
  const query = new URLSearchParams();
  for (const [name, param] of [
    ["state", "status"],
    ["tenant", "tenant"],
    ["resource", "resource"],
  ] as const) {
    const value = request.query.get(name)?.trim();
    if (!value) continue;
    filters[name] = value;
    query.set(param, value);
  }
  // The same validation as the JSON API: a filter is a known state, a tenant id or an ARM id, never raw OData.
  const [listed, all] = await Promise.all([listConnections(query, bookkeeping), bookkeeping.listTenants()]);
  const names = tenantNames(all);
  if (listed.status !== 200) {
    const message = (listed.jsonBody as { error: { message: string } }).error.message.replace(/^status/, "state");
    return connectionsPage([], names, filters, principal, now(), message);
  }
  const records = (listed.jsonBody as { connections: ConnectionRecord[] }).connections;
  return connectionsPage(records, names, filters, principal, now());
};

export const connection: Page = async (request, principal, { bookkeeping, now }) => {
  const found = await getConnection(request.params.key ?? "", bookkeeping);
  if (found.status !== 200) {
    const message = (found.jsonBody as { error: { message: string } }).error.message;
    return renderPage({ title: "No such connection", body: html`<p class="notice">${message}</p>` }, found.status);
  }
  const { history, ...record } = found.jsonBody as ConnectionRecord & { history: Parameters<typeof connectionPage>[1] };
  return connectionPage(record, history, principal, now());
};

export const tenants: Page = async (_request, principal, { bookkeeping }) => {
  const all = await bookkeeping.listTenants();
  return tenantsPage(
    all.sort((a, b) => a.displayName.localeCompare(b.displayName)),
    principal,
  );
};

/** The deadline the latest approval request announced (its audit entry carries it). */
async function withDeadline(record: ConnectionRecord, bookkeeping: Bookkeeping): Promise<WaitingReview> {
  const history = await bookkeeping.listAudit(record.connectionId, 20);
  for (const entry of history) {
    const fromData = entry.data?.deadline;
    const deadline =
      typeof fromData === "string" ? fromData : /deadline (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(entry.message)?.[1];
    if (entry.kind === "decision" && deadline) return { record, deadline };
  }
  return { record };
}
