/**
 * The OpenAPI 3.1 document of every HTTP route, served at GET /api/openapi.json. The end-to-end suite checks every
 * real response against it, so a route or a response shape that drifts from this document fails a test.
 */
import tenantSchema from "../domain/tenant.schema.json";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const text = { type: "string" };
const textOrNull = { type: ["string", "null"] };
const STATES = ["received", "awaiting-approval", "approved", "rejected", "skipped", "failed", "removed"];
const VERDICTS = ["approve", "reject", "review"];

/** A JSON object with the listed required properties; others allowed unless `closed`. */
function object(properties: Record<string, Schema>, required: string[] = [], closed = false): Schema {
  return { type: "object", properties, required, ...(closed ? { additionalProperties: false } : {}) };
}

/** `{ count, <name>: [<item>] }`, the shape of every list the API returns. */
function listOf(name: string, item: string): Schema {
  return object({ count: { type: "integer" }, [name]: { type: "array", items: ref(item) } }, ["count", name]);
}

const json = (schema: Schema) => ({ content: { "application/json": { schema } } });
const htmlPage = { content: { "text/html": { schema: text } } };

/** Coded errors, each with the sentence saying what to do. */
function errors(...statuses: number[]): Record<string, unknown> {
  const meaning: Record<number, string> = {
    400: "The input is malformed (the code says which part).",
    401: "No credential, or not signed in.",
    403: "Signed in without the app role this route needs.",
    404: "Nothing has that id.",
    409: "It exists already, or its state does not allow this.",
    412: "If-Match does not name the stored version: someone changed it after you read it.",
    413: "The body is too large.",
    422: "Well-formed but not acceptable (the message says why).",
    428: "This change needs If-Match.",
    503: "A dependency is unavailable; try again later.",
  };
  return Object.fromEntries(statuses.map((s) => [String(s), { description: meaning[s], ...json(ref("Error")) }]));
}

// Who may call: people through App Service authentication (Entra ID) with an app role, or automation with a key.
const PEOPLE = (role: string) => [{ entra: [role] }];
const AUTOMATION = [{ functionKey: [] }];

const sweepKind = { name: "kind", in: "query", schema: { enum: ["review", "cleanup"], default: "review" } };

const tenantKey = {
  name: "tenantId",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9._-]{1,128}$" },
};
const connectionKey = {
  name: "key",
  in: "path",
  required: true,
  description: "The url-safe key of a connection id, as /api/connections returns it.",
  schema: text,
};
const ifMatch = (required: boolean) => ({
  name: "If-Match",
  in: "header",
  required,
  description: "The ETag from GET /api/tenants/{tenantId} (or * for whatever is stored).",
  schema: text,
});
const etagHeader = {
  headers: { ETag: { schema: text, description: "The stored version; send it back as If-Match." } },
};

const { $schema: _dialect, $id: _id, ...tenantInput } = tenantSchema as Schema;

const integer = { type: "integer", minimum: 0 };

const schemas: Record<string, Schema> = {
  SweepReport: object(
    {
      kind: { enum: ["review", "cleanup"] },
      instanceId: text,
      listing: { enum: ["per-resource", "resource-graph"] },
      dryRun: { type: "boolean" },
      startedAt: text,
      finishedAt: text,
      scopes: integer,
      resources: integer,
      connections: integer,
      started: { ...integer, description: "Reviews or clean-ups started (in a dry run: that would start)." },
      alreadyRunning: integer,
      drift: { ...integer, description: "Connections approved, rejected or deleted outside the autopilot." },
      armCalls: { ...integer, description: "ARM and Resource Graph requests, retries included." },
      retries: integer,
      errors: {
        type: "array",
        items: object({ scope: text, code: text, message: text }, ["scope", "code", "message"]),
      },
      sample: { type: "array", items: text },
      cleanup: { type: "object", description: "Orphaned DNS records and offboarded tenants (clean-up only)." },
    },
    [
      "kind",
      "instanceId",
      "listing",
      "dryRun",
      "startedAt",
      "finishedAt",
      "resources",
      "connections",
      "started",
      "alreadyRunning",
      "drift",
      "armCalls",
      "errors",
    ],
  ),
  Error: object(
    {
      error: object(
        {
          code: text,
          message: text,
          details: { type: "array", items: text },
        },
        ["code", "message"],
      ),
    },
    ["error"],
  ),
  TenantInput: tenantInput,
  Tenant: object(
    {
      tenantId: text,
      displayName: text,
      status: { enum: ["active", "suspended", "offboarded"] },
      subscriptions: { type: "array", items: text },
      approvers: { type: "array", items: text },
      quota: { type: "integer", minimum: 0 },
      usage: { type: "integer", minimum: 0, description: "Approved connections counted against the quota." },
      tags: { type: "object", additionalProperties: text },
    },
    ["tenantId", "displayName", "status", "subscriptions", "approvers", "usage"],
  ),
  TenantChange: object(
    {
      tenantId: text,
      at: { type: "string", format: "date-time" },
      actor: text,
      action: { enum: ["created", "updated", "offboarded"] },
      message: text,
      data: { type: "object" },
    },
    ["tenantId", "at", "actor", "action", "message"],
  ),
  AuditEntry: object(
    {
      connectionId: text,
      stepId: text,
      at: text,
      kind: { enum: ["signal", "decision", "arm-write", "dns", "state", "error", "tenant"] },
      actor: text,
      message: text,
      data: { type: "object" },
    },
    ["connectionId", "stepId", "at", "kind", "actor", "message"],
  ),
  Connection: object(
    {
      key: text,
      connectionId: text,
      state: { enum: STATES },
      providerResourceId: text,
      providerResourceType: text,
      azureStatus: { enum: ["Pending", "Approved", "Rejected", "Disconnected"] },
      privateEndpointId: text,
      consumerSubscriptionId: text,
      tenantId: text,
      groupIds: { type: "array", items: text },
      source: text,
      verdict: { enum: VERDICTS },
      ruleId: text,
      reason: text,
      policyVersion: text,
      instanceId: text,
      decidedBy: text,
      dnsRecords: {
        type: "array",
        items: object(
          { zone: text, name: text, ipAddresses: { type: "array", items: text }, outcome: text, detail: text },
          ["zone", "name", "ipAddresses", "outcome"],
        ),
      },
      dnsNote: text,
      validUntil: text,
      deletedAt: text,
      createdAt: text,
      updatedAt: text,
    },
    ["key", "connectionId", "state", "providerResourceId", "createdAt", "updatedAt"],
  ),
  RuleTrace: {
    type: "array",
    items: object({ ruleId: text, matched: { type: "boolean" }, detail: text }, ["ruleId", "matched", "detail"]),
  },
  Decision: object(
    {
      verdict: { enum: VERDICTS },
      ruleId: text,
      reason: text,
      policyVersion: text,
      trace: ref("RuleTrace"),
      review: object({
        approvers: { type: "array", items: text },
        deadline: text,
        reminders: { type: "array", items: text },
        onDeadline: { enum: ["approve", "reject"] },
      }),
    },
    ["verdict", "ruleId", "reason", "policyVersion", "trace"],
  ),
  PolicyInput: {
    description: "A policy document: YAML or JSON text, or a JSON object (see policy/policy.schema.json).",
    type: ["string", "object"],
  },
};

const paths: Record<string, Schema> = {
  "/health": {
    get: {
      summary: "Settings valid? Storage reachable? (no credential; no secrets in the answer)",
      security: [],
      responses: {
        200: { description: "Healthy.", ...json(ref("Health")) },
        503: { description: "Unhealthy: the checks say what.", ...json(ref("Health")) },
      },
    },
  },
  "/openapi.json": {
    get: {
      summary: "This document.",
      security: [],
      responses: { 200: { description: "OpenAPI 3.1.", ...json({ type: "object", required: ["openapi", "paths"] }) } },
    },
  },
  "/reviews": {
    post: {
      summary: "Start (or find) the review of a connection, or of every connection of a private endpoint.",
      security: AUTOMATION,
      requestBody: json({
        oneOf: [
          object({ connectionId: text }, ["connectionId"]),
          object({ privateEndpointId: text }, ["privateEndpointId"]),
        ],
      }),
      responses: {
        202: {
          description: "Started, or already running.",
          ...json(
            object({ instanceId: text, outcome: text, connectionKey: text, statusUrl: text, note: text }, [
              "instanceId",
              "outcome",
            ]),
          ),
        },
        ...errors(400, 401, 413, 422, 503),
      },
    },
  },
  "/connections": {
    get: {
      summary: "Recorded connections, filtered.",
      security: AUTOMATION,
      parameters: [
        { name: "status", in: "query", schema: { enum: STATES } },
        { name: "tenant", in: "query", schema: text },
        { name: "resource", in: "query", description: "A provider resource id.", schema: text },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
      ],
      responses: {
        200: {
          description: "Matching connections.",
          ...json(listOf("connections", "Connection")),
        },
        ...errors(400, 401, 503),
      },
    },
  },
  "/connections/{key}": {
    get: {
      summary: "One connection: decision, rule, reason, DNS records and its audit history.",
      security: AUTOMATION,
      parameters: [connectionKey],
      responses: {
        200: {
          description: "The connection.",
          ...json({
            allOf: [ref("Connection"), object({ history: { type: "array", items: ref("AuditEntry") } }, ["history"])],
          }),
        },
        ...errors(400, 401, 404, 503),
      },
    },
  },
  "/connections/{key}/decision": {
    post: {
      summary: "A person's decision on a waiting review (one of the review's approvers, with the Approver role).",
      security: PEOPLE("Approver"),
      parameters: [connectionKey],
      requestBody: json(
        object({ decision: { enum: ["approve", "reject"] }, reason: { type: "string", minLength: 1 } }, [
          "decision",
          "reason",
        ]),
      ),
      responses: {
        202: {
          description: "Accepted: the review applies it through ARM.",
          ...json(
            object({ connectionId: text, decision: { enum: ["approve", "reject"] }, decidedBy: text }, [
              "connectionId",
              "decision",
              "decidedBy",
            ]),
          ),
        },
        ...errors(400, 401, 403, 404, 409, 413, 503),
      },
    },
  },
  "/connections/{key}/renew": {
    post: {
      summary: "Renews a time-bound approval (a rule's validFor): a new period starts now (Approver or Admin).",
      security: PEOPLE("Approver"),
      parameters: [connectionKey],
      requestBody: { required: false, ...json(object({ reason: { type: "string", maxLength: 500 } }, [])) },
      responses: {
        202: {
          description: "Accepted: the review holding the approval starts a new period.",
          ...json(
            object({ connectionId: text, renewedBy: text, previousValidUntil: text }, ["connectionId", "renewedBy"]),
          ),
        },
        ...errors(400, 401, 403, 404, 409, 413, 503),
      },
    },
  },
  "/sweeps/latest": {
    get: {
      summary: "The report of the latest sweep (review) or clean-up sweep.",
      security: AUTOMATION,
      parameters: [sweepKind],
      responses: {
        200: { description: "The report.", ...json(ref("SweepReport")) },
        ...errors(400, 401, 404, 503),
      },
    },
  },
  "/sweeps/dry-run": {
    post: {
      summary: "What a sweep (or the clean-up) would do now: reads ARM and the tables, writes nothing.",
      security: AUTOMATION,
      parameters: [sweepKind],
      responses: {
        200: { description: "What would happen.", ...json(ref("SweepReport")) },
        ...errors(400, 401, 503),
      },
    },
  },
  "/tenants": {
    get: {
      summary: "Every tenant, by display name.",
      security: PEOPLE("Reader"),
      responses: {
        200: {
          description: "Tenants.",
          ...json(listOf("tenants", "Tenant")),
        },
        ...errors(401, 403, 503),
      },
    },
  },
  "/tenants/{tenantId}": {
    parameters: [tenantKey],
    get: {
      summary: "One tenant with its ETag and its change history.",
      security: PEOPLE("Reader"),
      responses: {
        200: {
          description: "The tenant.",
          ...etagHeader,
          ...json({
            allOf: [ref("Tenant"), object({ history: { type: "array", items: ref("TenantChange") } }, ["history"])],
          }),
        },
        ...errors(400, 401, 403, 404, 503),
      },
    },
    put: {
      summary: "Create a tenant (no If-Match), or replace the version named by If-Match.",
      security: PEOPLE("Admin"),
      parameters: [ifMatch(false)],
      requestBody: json(ref("TenantInput")),
      responses: {
        200: { description: "Replaced.", ...etagHeader, ...json(ref("Tenant")) },
        201: { description: "Created.", ...etagHeader, ...json(ref("Tenant")) },
        ...errors(400, 401, 403, 404, 409, 412, 413, 422, 503),
      },
    },
    patch: {
      summary: "Change some fields of the version named by If-Match.",
      security: PEOPLE("Admin"),
      parameters: [ifMatch(true)],
      requestBody: json({ type: "object", description: "Any TenantInput fields." }),
      responses: {
        200: { description: "Changed.", ...etagHeader, ...json(ref("Tenant")) },
        ...errors(400, 401, 403, 404, 412, 413, 422, 428, 503),
      },
    },
    delete: {
      summary: "Offboard: status offboarded (kept, never deleted); the clean-up then rejects its connections.",
      security: PEOPLE("Admin"),
      parameters: [ifMatch(false)],
      responses: {
        200: { description: "Offboarded (or already was).", ...etagHeader, ...json(ref("Tenant")) },
        ...errors(400, 401, 403, 404, 412, 503),
      },
    },
  },
  "/policy/evaluate": {
    post: {
      summary:
        "Dry run of a policy (given, or the one in force) against a connection read from ARM, or a request body.",
      security: PEOPLE("Reader"),
      requestBody: json(object({ connectionId: text, request: { type: "object" }, policy: ref("PolicyInput") })),
      responses: {
        200: {
          description: "The decision and its rule trace.",
          ...json(
            object(
              {
                source: { enum: ["azure", "request"] },
                request: { type: "object" },
                tenant: textOrNull,
                decision: ref("Decision"),
              },
              ["source", "request", "tenant", "decision"],
            ),
          ),
        },
        ...errors(400, 401, 403, 404, 413, 422, 503),
      },
    },
  },
  "/policy/what-if": {
    post: {
      summary:
        "The policy in force against a proposed one over the recorded connections (one page): what would change.",
      security: PEOPLE("Admin"),
      requestBody: json(
        object(
          { policy: ref("PolicyInput"), pageSize: { type: "integer", minimum: 1, maximum: 500 }, continuation: text },
          ["policy"],
        ),
      ),
      responses: {
        200: {
          description: "The connections whose verdict would change, read from ARM now.",
          ...json(
            object(
              {
                currentPolicyVersion: text,
                proposedPolicyVersion: text,
                examined: { type: "integer" },
                changed: { type: "integer" },
                changes: {
                  type: "array",
                  items: object(
                    {
                      connectionId: text,
                      key: text,
                      tenantId: textOrNull,
                      state: { enum: STATES },
                      current: object({ verdict: { enum: VERDICTS }, ruleId: text }, ["verdict", "ruleId"]),
                      proposed: object({ verdict: { enum: VERDICTS }, ruleId: text, reason: text }, [
                        "verdict",
                        "ruleId",
                        "reason",
                      ]),
                    },
                    ["connectionId", "key", "tenantId", "state", "current", "proposed"],
                  ),
                },
                missingOnAzure: { type: "array", items: text },
                continuation: { type: "string", description: "Send back for the next page; absent on the last." },
              },
              ["currentPolicyVersion", "proposedPolicyVersion", "examined", "changed", "changes", "missingOnAzure"],
            ),
          ),
        },
        ...errors(400, 401, 403, 413, 503),
      },
    },
  },
  ...consolePages(),
  ...approvalPage(),
};

schemas.Health = object(
  {
    status: { enum: ["healthy", "unhealthy"] },
    checks: { type: "object", additionalProperties: object({ ok: { type: "boolean" }, detail: text }, ["ok"]) },
  },
  ["status", "checks"],
);

/** The page an approval link opens (HTML, no script): a GET shows the request, the POST (a form) decides. */
function approvalPage(): Record<string, Schema> {
  const token = { name: "token", in: "path", required: true, schema: text, description: "The signed approval link." };
  const refusals = {
    400: { description: "A malformed form, or a token that is not ours.", ...htmlPage },
    403: { description: "Signed in as someone the link is not for, or a form from another site.", ...htmlPage },
    404: { description: "No such review.", ...htmlPage },
    409: { description: "The review has ended: its outcome, nothing changed.", ...htmlPage },
    410: { description: "The link has expired or was used: what was decided, by whom, when.", ...htmlPage },
    503: { description: "Storage or the review did not answer.", ...htmlPage },
  };
  const signIn = { 302: { description: "Not signed in: to the sign-in page, and back." } };
  return {
    "/approvals/{token}": {
      get: {
        summary: "The approval page: the request, the policy trace and the audit so far (a GET never decides).",
        security: PEOPLE("Approver"),
        parameters: [token],
        responses: { 200: { description: "The page.", ...htmlPage }, ...signIn, ...refusals },
      },
      post: {
        summary: "Approve or reject from the page's form (the signed-in approver the link is for).",
        security: PEOPLE("Approver"),
        parameters: [token],
        requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object" } } } },
        responses: { 303: { description: "Decided: back to the page, which shows it." }, ...signIn, ...refusals },
      },
    },
  };
}

function consolePages(): Record<string, Schema> {
  const page = (summary: string, parameters: unknown[] = []) => ({
    get: {
      summary,
      security: PEOPLE("Reader"),
      parameters,
      responses: {
        200: { description: "The page.", ...htmlPage },
        400: { description: "A filter is malformed.", ...htmlPage },
        401: { description: "Not signed in: a page with the sign-in link.", ...htmlPage },
        403: { description: "Signed in without the Reader role.", ...htmlPage },
        404: { description: "No such connection.", ...htmlPage },
        503: { description: "Table storage did not answer.", ...htmlPage },
      },
    },
  });
  const filter = (name: string) => ({ name, in: "query", schema: text });
  return {
    "/console": page(
      "The morning view: reviews waiting for a person (nearest deadline first), recent decisions, tenants near quota.",
    ),
    "/console/connections": page("Connections filtered by state, tenant and resource.", [
      filter("state"),
      filter("tenant"),
      filter("resource"),
    ]),
    "/console/connections/{key}": page("One connection's timeline.", [connectionKey]),
    "/console/tenants": page("Tenants with their quota use."),
  };
}

export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Private Link Autopilot",
    version: "1",
    description:
      "Runs the life cycle of Azure Private Link private endpoint connections. Credentials per route: people sign in with Microsoft Entra ID through App Service authentication and need the app role named under `security` (Reader ⊂ Approver ⊂ Admin); automation that cannot sign in uses a function key (`x-functions-key`). Errors are `{ error: { code, message } }`.",
  },
  servers: [{ url: "/api" }],
  components: {
    securitySchemes: {
      entra: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "Microsoft Entra ID through App Service authentication: a browser session, or an access token for the app's registration as a bearer token. The app roles listed per route are required.",
      },
      functionKey: {
        type: "apiKey",
        in: "header",
        name: "x-functions-key",
        description: "A function key, for automation.",
      },
    },
    schemas,
  },
  paths,
} as const;
