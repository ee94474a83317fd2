import { describe, expect, it } from "vitest";
import { html, renderPage } from "../../../src/app/pages/html";

describe("server-rendered pages", () => {
  it("escapes interpolated text but keeps nested fragments and arrays", () => {
    const hostile = `<script>alert("x")</script>&'`;
    const out = html`<p title="${hostile}">${hostile}</p>
      ${[html`<b>${1}</b>`, "<i>"]}${undefined}${false}`;
    expect(out.html.replace(/\s+</g, "<")).toBe(
      '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;">&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;</p><b>1</b>&#60;i&#62;',
    );
  });

  it("renders a whole page with headers that forbid scripts, framing and caching", () => {
    const page = renderPage({ title: "A <title>", body: html`<p>hi</p>`, subtitle: "ada@contoso.example" }, 403);
    expect(page.status).toBe(403);
    expect(page.body).toContain("<h1>A &#60;title&#62;</h1>");
    expect(page.body).toContain("<p>hi</p>");
    expect(page.body).not.toContain("<script");
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
  });
});
