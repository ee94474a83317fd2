import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { showApprovalPage, submitApproval, type ApprovalPageDeps } from "../src/app/approval-page";
import { reviewControlFrom } from "../src/app/orchestration-client";
import { html, renderPage, type HtmlResponse } from "../src/app/pages/html";
import { readPrincipal } from "../src/app/principal";
import { approvalBaseUrl, getApprovalKeys, getBookkeeping, getConfig } from "../src/composition-root";
import { durableClientInput } from "./shared";

const MAX_FORM_BYTES = 8 * 1024;

/**
 * GET /api/approvals/{token}: the approval page; POST decides. Anonymous at the Functions level: App Service
 * authentication in front signs the person in, and the page checks who it is (a function key is not a person).
 */
export async function approvalPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const deps = await pageDeps(request, context);
    const url = new URL(request.url);
    const page = {
      token: request.params.token ?? "",
      principal: readPrincipal(request.headers),
      path: url.pathname,
    };
    if (request.method !== "POST") return toHttp(await showApprovalPage(page, deps));
    const declared = Number(request.headers.get("content-length") ?? "0");
    const text = declared > MAX_FORM_BYTES ? "" : await request.text();
    if (text.length > MAX_FORM_BYTES || declared > MAX_FORM_BYTES)
      return toHttp(failure(413, "The form is too large."));
    return toHttp(await submitApproval({ ...page, form: new URLSearchParams(text), headers: request.headers }, deps));
  } catch (error) {
    context.error(`Approval page failed: ${(error as Error).message}`);
    return toHttp(failure(503, "The approval page could not load the review; try again in a minute."));
  }
}

async function pageDeps(request: HttpRequest, context: InvocationContext): Promise<ApprovalPageDeps> {
  const base = approvalBaseUrl();
  return {
    keys: getApprovalKeys(),
    signInPath: getConfig().approval.signInPath,
    origin: new URL(base ?? request.url).origin,
    reviews: reviewControlFrom(df.getClient(context)),
    bookkeeping: await getBookkeeping(),
    now: () => new Date().toISOString(),
    log: (m) => context.warn(m),
  };
}

function failure(status: number, message: string): HtmlResponse {
  return renderPage({ title: "Nothing was decided", body: html`<p class="notice">${message}</p>` }, status);
}

function toHttp(page: HtmlResponse): HttpResponseInit {
  return { status: page.status, body: page.body, headers: page.headers };
}

app.http("approval-page", {
  methods: ["GET", "POST"],
  authLevel: "anonymous",
  route: "approvals/{token}",
  extraInputs: [durableClientInput],
  handler: approvalPage,
});
