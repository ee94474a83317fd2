/**
 * Checks real HTTP answers against the app's OpenAPI document: the path and method must be documented, the status
 * listed, the content type the documented one, and a JSON body valid against the response schema (ajv, 2020-12).
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { OPENAPI_DOCUMENT } from "../../src/app/openapi";

export interface SeenResponse {
  method: string;
  /** The path below /api, without the query. */
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

const DOC_ID = "https://privatelink-autopilot.example/openapi.json";
type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
const doc = OPENAPI_DOCUMENT as unknown as { paths: Record<string, Record<string, Operation>> };

let ajv: Ajv2020 | undefined;
function validator(): Ajv2020 {
  if (!ajv) {
    // The whole document is one schema resource, so "#/components/schemas/X" resolves inside it.
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ ...OPENAPI_DOCUMENT, $id: DOC_ID });
  }
  return ajv;
}

/** The documented path template a concrete path falls under ("/tenants/abc" → "/tenants/{tenantId}"). */
export function templateOf(path: string): string | undefined {
  const segments = path.split("/");
  return Object.keys(doc.paths).find((template) => {
    const parts = template.split("/");
    return parts.length === segments.length && parts.every((p, i) => p.startsWith("{") || p === segments[i]);
  });
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** Every way `seen` departs from the document; empty when it conforms. */
export function openApiProblems(seen: SeenResponse): string[] {
  const where = `${seen.method} ${seen.path} → ${seen.status}`;
  const template = templateOf(seen.path);
  if (!template) return [`${where}: the path is not documented`];
  const operation = doc.paths[template]![seen.method.toLowerCase()];
  if (!operation) return [`${where}: the method is not documented for ${template}`];
  const response = operation.responses[String(seen.status)];
  if (!response) return [`${where}: the status is not documented`];
  const type = seen.contentType.split(";")[0]!.trim();
  const media = response.content?.[type];
  if (!media) return [`${where}: ${type} is not a documented content type`];
  if (type !== "application/json") return [];
  const ref = `${DOC_ID}#/${pointer("paths", template, seen.method.toLowerCase(), "responses", String(seen.status), "content", type, "schema")}`;
  const validate = validator().getSchema(ref) ?? validator().compile({ $ref: ref });
  return validate(seen.body)
    ? []
    : (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || "/"} ${e.message}`);
}

/** "METHOD /template" of every documented operation. */
export function documentedOperations(): string[] {
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.keys(item)
      .filter((m) => ["get", "put", "post", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${template}`),
  );
}
