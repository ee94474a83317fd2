"use strict";
const { app } = require("@azure/functions");
const df = require("durable-functions");
const { observed } = require("./state");

app.http("hello", {
  methods: ["GET", "POST"],
  authLevel: "anonymous",
  route: "hello/{name?}",
  handler: async (request) => ({
    jsonBody: {
      name: request.params.name ?? null,
      tags: request.query.getAll("tag"),
      method: request.method,
      userAgent: request.headers.get("user-agent"),
    },
  }),
});

app.http("secret", {
  methods: ["GET"],
  authLevel: "function",
  route: "secret",
  handler: async () => ({ jsonBody: { ok: true } }),
});

app.http("echo", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "items/{id}/echo",
  handler: async (request) => ({
    status: 201,
    headers: { "x-item": request.params.id },
    cookies: [{ name: "seen", value: "1", httpOnly: true }],
    body: await request.text(),
  }),
});

app.http("boom", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "boom",
  handler: async () => {
    throw new Error("sample failure");
  },
});

app.http("hooked", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "hooked",
  handler: async () => ({ jsonBody: { from: "handler" } }),
});

app.http("observed", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "observed",
  handler: async () => ({ jsonBody: observed }),
});

app.http("startOrchestration", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "orchestrators/{name}/{id?}",
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const text = await request.text();
    try {
      const instanceId = await client.startNew(request.params.name, {
        instanceId: request.params.id,
        input: text ? JSON.parse(text) : undefined,
      });
      return client.createCheckStatusResponse(request, instanceId);
    } catch (err) {
      return { status: String(err.message).includes("409") ? 409 : 400, jsonBody: { error: err.message } };
    }
  },
});

// Exercises the SDK client's own URLs: status, events, terminate, suspend/resume, purge, list.
app.http("clientOps", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "client/{op}/{id?}",
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const { op, id } = request.params;
    const text = await request.text();
    const body = text ? JSON.parse(text) : {};
    switch (op) {
      case "status":
        return {
          jsonBody: await client.getStatus(id, {
            showHistory: !!body.showHistory,
            showHistoryOutput: !!body.showHistory,
          }),
        };
      case "raise":
        await client.raiseEvent(id, body.name, body.data);
        return { status: 202 };
      case "terminate":
        await client.terminate(id, body.reason ?? "by test");
        return { status: 202 };
      case "suspend":
        await client.suspend(id, "by test");
        return { status: 202 };
      case "resume":
        await client.resume(id, "by test");
        return { status: 202 };
      case "purge":
        return { jsonBody: await client.purgeInstanceHistory(id) };
      case "list":
        return { jsonBody: await client.getStatusBy({ runtimeStatus: body.runtimeStatus }) };
      case "listAll":
        return { jsonBody: await client.getStatusAll() };
      case "payload":
        return { jsonBody: client.createHttpManagementPayload(id) };
      default:
        return { status: 400, jsonBody: { error: `unknown op ${op}` } };
    }
  },
});

app.http("whoami", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "whoami",
  handler: async (request) => ({
    jsonBody: {
      name: request.headers.get("x-ms-client-principal-name"),
      id: request.headers.get("x-ms-client-principal-id"),
      principal: request.headers.get("x-ms-client-principal"),
    },
  }),
});
