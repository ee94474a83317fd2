/** A plain HTML rendering of the Adaptive Card elements we send (TextBlock, FactSet, Action.OpenUrl), for screenshots. */
const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderCardPreview(card: Record<string, unknown>): string {
  const body = (card.body as Record<string, unknown>[]).map((el) => {
    if (el.type === "TextBlock") {
      const strong = el.weight === "Bolder" ? "font-weight:600;font-size:1.1rem" : "";
      const warn = el.color === "Attention" ? "color:#c4314b" : "";
      return `<p style="${strong};${warn}">${esc(el.text)}</p>`;
    }
    if (el.type === "FactSet") {
      const rows = (el.facts as { title: string; value: string }[])
        .map((f) => `<tr><th>${esc(f.title)}</th><td>${esc(f.value)}</td></tr>`)
        .join("");
      return `<table>${rows}</table>`;
    }
    return "";
  });
  const actions = (card.actions as { title: string }[]).map((a) => `<span class="btn">${esc(a.title)}</span>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font:14px "Segoe UI",system-ui,sans-serif;background:#f5f5f5;margin:0;padding:24px}
.card{max-width:560px;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:16px 20px}
.hint{color:#616161;font-size:12px;margin-bottom:8px}th{text-align:left;color:#616161;font-weight:600;padding:2px 12px 2px 0;vertical-align:top}
td{padding:2px 0;word-break:break-word}.btn{display:inline-block;border:1px solid #d1d1d1;border-radius:4px;padding:6px 12px;margin:12px 8px 0 0;color:#5b5fc7;font-weight:600}
</style></head><body><div id="preview" style="display:inline-block"><div class="hint">Teams · Workflows · Private Link Autopilot (preview of the Adaptive Card)</div>
<div class="card">${body.join("")}<div>${actions}</div></div></div></body></html>`;
}
