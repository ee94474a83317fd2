import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { connection, connections, consolePage, overview, tenants } from "../src/app/console/console-routes";
import { html, renderPage } from "../src/app/pages/html";
import { getBookkeeping } from "../src/composition-root";

// The read-only console for people: anonymous for the Functions host, the Reader role checked in code.

type Page = Parameters<typeof consolePage>[0];

function serve(page: Page) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const deps = { bookkeeping: await getBookkeeping(), now: () => new Date().toISOString() };
      return await consolePage(page, request, deps);
    } catch (error) {
      context.error(`Console page failed: ${(error as Error).message}`);
      return renderPage(
        {
          title: "The console cannot read its data right now",
          body: html`<p class="notice">
            Table storage did not answer. Reload in a minute; /api/health shows what is wrong.
          </p>`,
        },
        503,
      );
    }
  };
}

app.http("console", { methods: ["GET"], authLevel: "anonymous", route: "console", handler: serve(overview) });
app.http("console-connections", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "console/connections",
  handler: serve(connections),
});
app.http("console-connection", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "console/connections/{key}",
  handler: serve(connection),
});
app.http("console-tenants", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "console/tenants",
  handler: serve(tenants),
});
