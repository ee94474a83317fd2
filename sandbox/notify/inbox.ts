import { randomUUID } from "node:crypto";

export interface InboxItem {
  id: string;
  kind: "email" | "teams";
  receivedAt: string;
  /** Email: recipients; Teams: the hook id. */
  to: string[];
  from?: string;
  subject?: string;
  plainText?: string;
  html?: string;
  /** The Adaptive Card content for Teams posts. */
  card?: Record<string, unknown>;
}

const MAX_ITEMS = 1000;

/** Everything the app sent out, for tests and for a person watching a local run. */
export class Inbox {
  private items: InboxItem[] = [];

  add(item: Omit<InboxItem, "id" | "receivedAt">, now: Date): InboxItem {
    const full = { ...item, id: randomUUID(), receivedAt: now.toISOString() };
    this.items.push(full);
    if (this.items.length > MAX_ITEMS) this.items.splice(0, this.items.length - MAX_ITEMS);
    return full;
  }

  list(): InboxItem[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A readable page of the inbox; every value is escaped (the HTML bodies are shown as text, never rendered). */
export function inboxHtml(items: InboxItem[]): string {
  const rows = items
    .slice()
    .reverse()
    .map((i) => {
      const body = i.card ? JSON.stringify(i.card, null, 2) : (i.plainText ?? i.html ?? "");
      return `<article><h2>${escapeHtml(i.kind)}: ${escapeHtml(i.subject ?? "(card)")}</h2>
<p>to ${escapeHtml(i.to.join(", "))}${i.from ? ` from ${escapeHtml(i.from)}` : ""} at ${escapeHtml(i.receivedAt)}</p>
<pre>${escapeHtml(body)}</pre></article>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox inbox</title>
<style>body{font-family:sans-serif;margin:2em}article{border-bottom:1px solid #ccc}pre{white-space:pre-wrap}</style>
</head><body><h1>Sandbox inbox (${items.length})</h1>${rows || "<p>Nothing received yet.</p>"}</body></html>`;
}
