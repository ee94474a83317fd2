import type { ApprovalNotice } from "../../ports/notifier.port";
import { escapeText, noticeFacts } from "../notify/notice-facts";

/** One approver's mail: the same facts as the card, with that approver's own link; HTML and plain text. */
export function approvalEmail(
  notice: ApprovalNotice,
  link: { approver: string; url?: string },
): { subject: string; plainText: string; html: string } {
  const { title, deadlineLine, facts, instead } = noticeFacts(notice);
  const action = link.url
    ? `Review and decide: ${link.url}`
    : (instead ?? "Approval links are not configured: decide through the API.");
  const plainText = [
    title,
    "",
    deadlineLine,
    "",
    ...facts.map((f) => `${f.label}: ${f.value}`),
    "",
    action,
    "",
    `This link is for ${link.approver} only; you will be asked to sign in.`,
  ].join("\n");
  const rows = facts
    .map((f) => `<tr><th align="left">${escapeText(f.label)}</th><td>${escapeText(f.value)}</td></tr>`)
    .join("");
  const button = link.url
    ? `<p><a href="${escapeText(link.url)}" style="display:inline-block;padding:10px 20px;background:#0969da;color:#fff;text-decoration:none;border-radius:6px">Review and decide</a></p>`
    : `<p>${escapeText(action)}</p>`;
  const html = `<!doctype html><html><body style="font-family:Segoe UI,Arial,sans-serif">
<h2>${escapeText(title)}</h2><p><strong>${escapeText(deadlineLine)}</strong></p>
<table cellpadding="4">${rows}</table>${button}
<p style="color:#59636e">This link is for ${escapeText(link.approver)} only; you will be asked to sign in.</p></body></html>`;
  const name = notice.request.privateEndpointId?.split("/").pop() ?? "a private endpoint";
  return { subject: `${title}: ${name}`.slice(0, 200), plainText, html };
}
