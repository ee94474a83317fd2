/**
 * Server-rendered pages (the approval page, the console): no front-end build, no script, readable on a phone.
 * Every interpolated value is escaped unless it is already `SafeHtml`, so a request message or tenant name
 * from a stranger can never become markup.
 */

export interface SafeHtml {
  readonly html: string;
}

/** What an HTML route returns; functions/ hands it to the runtime unchanged. */
export interface HtmlResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template: `html\`<p>${untrusted}</p>\`` escapes `untrusted`; nested `html` fragments and arrays pass. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return { html: out };
}

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return (value as readonly Interpolated[]).map(render).join("");
  if (typeof value === "object") return (value as SafeHtml).html;
  return escapeHtml(String(value));
}

/** A labelled section holding one table: a heading, column names, and rows of cells (each cell escaped). */
export function tableSection(label: string, heading: string, columns: string[], rows: Interpolated[][]): SafeHtml {
  return html`<section aria-label="${label}">
    <h2>${heading}</h2>
    <table>
      <thead>
        <tr>
          ${columns.map((c) => html`<th>${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (cells) =>
            html`<tr>
              ${cells.map((c) => html`<td>${c}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

// No script at all, inline styles only, forms post only to us, never framed (clickjacking on Approve).
const SECURITY_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Small print under the title, e.g. who is signed in. */
  subtitle?: string;
}

export function renderPage(options: PageOptions, status = 200, headers: Record<string, string> = {}): HtmlResponse {
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Private Link Autopilot</title>
        <style>
          ${{ html: STYLE }}
        </style>
      </head>
      <body>
        <header class="bar">
          <span class="brand">Private Link Autopilot</span
          >${options.subtitle ? html`<span class="who">${options.subtitle}</span>` : ""}
        </header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html>`;
  return { status, body: body.html, headers: { ...SECURITY_HEADERS, ...headers } };
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;--line:#3d444d;--accent:#4493f8;--ok:#3fb950;--bad:#f85149;--warn:#d29922}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.6rem 1rem;background:#0b2545;color:#fff}
.brand{font-weight:600}.who{font-size:.85rem;opacity:.85}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;background:var(--card)}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}th{color:var(--muted);font-weight:600}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;border:1px solid var(--line)}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.muted{color:var(--muted)}
a{color:var(--accent)}
textarea,input[type=text]{width:100%;font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:.75rem}
button{font:inherit;padding:.55rem 1.4rem;border-radius:6px;border:1px solid var(--line);cursor:pointer;min-height:44px}
button.approve{background:var(--ok);border-color:var(--ok);color:#fff}button.reject{background:var(--bad);border-color:var(--bad);color:#fff}
.notice{border-left:4px solid var(--accent);padding:.5rem 1rem;background:var(--card)}
@media (max-width:40rem){dl{grid-template-columns:1fr}dt{margin-top:.5rem}}
`;
