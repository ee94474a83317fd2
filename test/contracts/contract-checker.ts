/**
 * Checks ARM exchanges against the vendored Azure REST API specs (specs/, see SOURCES.md). ajv resolves the
 * documents' cross-file references and validates bodies. As Azure's own validator (oav) does, a property a
 * schema does not declare is an error, and an enum marked `x-ms-enum.modelAsString` is open.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { ArmExchange } from "../../sandbox";

export const SPECS_ROOT = path.join(__dirname, "specs");

/** One answer of the sandbox, as its ARM observer reports it. */
export type Exchange = ArmExchange;

export interface Verdict {
  /** "file#operationId" of the operation that describes the exchange; undefined when no vendored spec does. */
  operation?: string;
  problems: string[];
}

type Json = Record<string, unknown>;

interface Operation {
  id: string;
  method: string;
  apiVersion: string;
  pattern: RegExp;
  /** Status ("200", "default") → the response object. */
  responses: Record<string, Json>;
  docId: string;
  pointer: string;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head"];

/**
 * Definitions the vendored network extracts reference but which are not vendored yet (SOURCES.md, "Not vendored"):
 * each is registered as an open schema, so whatever the sandbox puts there (it puts only `{ id }` references) is not
 * checked. Every other reference to something not vendored still fails when the specs load.
 */
const NOT_VENDORED: Record<string, string[]> = {
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/applicationGateway.json": [
    "ApplicationGatewayBackendAddressPool",
  ],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/applicationSecurityGroup.json": [
    "ApplicationSecurityGroup",
  ],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/loadBalancer.json": [
    "BackendAddressPool",
    "FrontendIPConfiguration",
    "InboundNatRule",
  ],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/networkSecurityGroup.json": ["NetworkSecurityGroup"],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/publicIpAddress.json": ["PublicIPAddress"],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/virtualNetwork.json": ["Subnet"],
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/virtualNetworkTap.json": ["VirtualNetworkTap"],
};

export class ContractChecker {
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    private readonly ajv: Ajv,
    private readonly operations: Operation[],
    private readonly docs: Record<string, Json>,
  ) {}

  /** Every vendored spec (not example) under the root, its references resolved and registered with ajv. */
  static load(root = SPECS_ROOT): ContractChecker {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    // Azure's formats that are not JSON Schema's: their type is checked, the format is not.
    for (const f of [
      "arm-id",
      "int32",
      "int64",
      "float",
      "double",
      "byte",
      "binary",
      "duration",
      "unixtime",
      "password",
    ])
      ajv.addFormat(f, true);
    const operations: Operation[] = [];
    const docs: Record<string, Json> = {};
    for (const file of specFiles(root)) {
      const doc = withoutRequestParts(JSON.parse(readFileSync(file, "utf8")) as Json);
      openModelAsStringEnums(doc);
      const docId = pathToFileURL(file).href;
      docs[docId] = doc;
      const version = (doc.info as Json | undefined)?.version;
      const apiVersion = typeof version === "string" ? version : "";
      for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
        for (const method of METHODS) {
          const op = item[method] as Json | undefined;
          if (!op) continue;
          operations.push({
            id: `${path.relative(root, file)}#${String(op.operationId)}`,
            method: method.toUpperCase(),
            apiVersion,
            pattern: templatePattern(template),
            responses: (op.responses ?? {}) as Record<string, Json>,
            docId,
            pointer: `/paths/${escapePointer(template)}/${method}/responses`,
          });
        }
      }
    }
    for (const [file, names] of Object.entries(NOT_VENDORED)) {
      const docId = pathToFileURL(path.join(root, file)).href;
      if (docs[docId]) throw new Error(`${file} is vendored now: take it off NOT_VENDORED`);
      docs[docId] = { definitions: Object.fromEntries(names.map((n) => [n, {}])) };
    }
    // ajv resolves the cross-file references itself: each document is registered under its file URL.
    for (const [docId, doc] of Object.entries(docs)) ajv.addSchema({ ...doc, $id: docId });
    const checker = new ContractChecker(ajv, operations, docs);
    // Compile every response schema now: a reference to something not vendored fails here, not mid-suite.
    for (const op of operations)
      for (const key of Object.keys(op.responses)) if (op.responses[key]!.schema) checker.validatorFor(op, key);
    return checker;
  }

  /** The operation that describes a request, if a vendored spec has it at that api-version. */
  operationFor(method: string, requestPath: string, apiVersion: string): Operation | undefined {
    return this.operations.find(
      (o) => o.method === method.toUpperCase() && o.apiVersion === apiVersion && o.pattern.test(requestPath),
    );
  }

  check(x: Exchange): Verdict {
    const op = this.operationFor(x.method, x.path, x.apiVersion);
    if (!op) return { problems: [] };
    const status = String(x.status);
    const key = op.responses[status] ? status : op.responses.default && x.status >= 400 ? "default" : undefined;
    // ARM's front door throttles (429) and fails (5xx) any operation, whatever the provider's spec lists: Storage's
    // GET declares 200 alone. Such an answer is held to ARM's error envelope instead.
    if (!key && (x.status === 429 || x.status >= 500)) {
      const error = (x.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const enveloped = typeof error?.code === "string" && typeof error.message === "string";
      return { operation: op.id, problems: enveloped ? [] : [`status ${status} lacks ARM's error envelope`] };
    }
    if (!key) {
      return {
        operation: op.id,
        problems: [`status ${status} is not one the spec allows (${Object.keys(op.responses).join(", ")})`],
      };
    }
    // OpenAPI 2 cannot mark a response header required. A 202 is useless without its polling headers, so those are
    // demanded; elsewhere a declared header may be absent (Key Vault's PUT names Azure-AsyncOperation "specified only
    // if operation does not finish synchronously", and its example answers 200 without it).
    const declaredHeaders = x.status === 202 ? Object.keys(op.responses[key]!.headers ?? {}) : [];
    const sent = new Set(Object.keys(x.headers).map((h) => h.toLowerCase()));
    const missing = declaredHeaders.filter((h) => !sent.has(h.toLowerCase()));
    if (missing.length > 0)
      return { operation: op.id, problems: [`status ${status} lacks header ${missing.join(", ")}`] };
    const schema = op.responses[key]!.schema as Json | undefined;
    if (!schema) {
      // An error response the spec leaves unmodelled (SQL's default) may carry ARM's usual error body.
      const empty = x.body === undefined || x.body === "" || x.body === null || key === "default";
      return { operation: op.id, problems: empty ? [] : [`status ${status} has no body in the spec, but one came`] };
    }
    const validate = this.validatorFor(op, key);
    const problems: string[] = [];
    // ARM wraps every error as { error: { code, message, … } }; some specs model only the inner object as the
    // default response (network.json's Error, which PrivateLinkServices and PrivateEndpoints name), and
    // @azure/core-client reads `parsedBody.error` before the operation's error mapper. So when the spec's error
    // schema has no `error` property, the inner object is what it describes, and what is checked.
    const place = { docs: this.docs, base: op.docId };
    const innerError =
      key === "default" && isErrorEnvelope(x.body) && !declaresError(place, schema) ? x.body.error : undefined;
    const body = innerError ?? x.body;
    const at = innerError ? "/error" : "";
    if (!validate(body)) {
      for (const e of validate.errors ?? [])
        problems.push(`${at}${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    }
    undeclared(place, schema, body, at, problems);
    return { operation: op.id, problems };
  }

  validatorFor(op: Operation, key: string): ValidateFunction {
    const ref = `${op.docId}#${encodeFragment(`${op.pointer}/${escapePointer(key)}/schema`)}`;
    let v = this.validators.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, v);
    }
    return v;
  }
}

function isErrorEnvelope(body: unknown): body is { error: Json } {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  const error = (body as Json).error;
  return keys.length === 1 && keys[0] === "error" && !!error && typeof error === "object";
}

function declaresError(place: Place, schema: Json): boolean {
  const { schema: s, place: here } = resolve(place, schema);
  const declared = declaredProperties(here, s);
  return declared === "open" || declared.has("error");
}

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "examples" ? [] : specFiles(full);
    return name.endsWith(".json") ? [full] : [];
  });
}

/** Parameters and example links are not needed to check responses, and name files not vendored. */
function withoutRequestParts(doc: Json): Json {
  const copy = structuredClone(doc);
  delete copy.parameters;
  for (const item of Object.values((copy.paths ?? {}) as Record<string, Json>)) {
    delete item.parameters;
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      delete op.parameters;
      delete op["x-ms-examples"];
    }
  }
  return copy;
}

/** A JSON pointer inside a URI fragment must be percent-encoded (path templates have braces). */
function encodeFragment(pointer: string): string {
  return pointer.replace(/[{}]/g, (c) => encodeURIComponent(c));
}

/** Azure treats an enum with x-ms-enum.modelAsString as extensible: any string is allowed. */
function openModelAsStringEnums(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(openModelAsStringEnums);
  if (!node || typeof node !== "object") return;
  const o = node as Json;
  if ((o["x-ms-enum"] as Json | undefined)?.modelAsString === true) delete o.enum;
  Object.values(o).forEach(openModelAsStringEnums);
}

function templatePattern(template: string): RegExp {
  const parts = template.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[^/]+")}$`, "i");
}

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

interface Place {
  docs: Record<string, Json>;
  /** URL of the document the schema at hand sits in: its relative references resolve against it. */
  base: string;
}

/** Follows $ref (relative file#pointer) to the schema it names, and says which document that is in. */
function resolve(place: Place, schema: Json): { schema: Json; place: Place } {
  let s = schema;
  let here = place;
  for (let hops = 0; typeof s.$ref === "string" && hops < 32; hops++) {
    const url = new URL(s.$ref, here.base);
    const base = `${url.origin === "null" ? "file://" : url.origin}${url.pathname}`;
    const doc = here.docs[base];
    if (!doc) throw new Error(`${s.$ref} (from ${here.base}) names a file that is not vendored`);
    here = { docs: here.docs, base };
    s = decodeURIComponent(url.hash.replace(/^#/, ""))
      .split("/")
      .slice(1)
      .reduce<unknown>((n, k) => (n as Json)[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc) as Json;
  }
  return { schema: s, place: here };
}

/** Every object property of the data must be declared by its schema (own properties or allOf's), as oav demands. */
function undeclared(place: Place, schemaIn: Json, data: unknown, at: string, problems: string[]): void {
  const { schema, place: here } = resolve(place, schemaIn);
  if (Array.isArray(data)) {
    const items = schema.items as Json | undefined;
    if (items) data.forEach((d, i) => undeclared(here, items, d, `${at}/${i}`, problems));
    return;
  }
  if (!data || typeof data !== "object") return;
  const declared = declaredProperties(here, schema);
  if (declared === "open") return;
  for (const [key, value] of Object.entries(data as Json)) {
    const sub = declared.get(key);
    if (!sub) problems.push(`${at}/${key} is not declared by the spec`);
    else undeclared(sub.place, sub.schema, value, `${at}/${key}`, problems);
  }
}

function declaredProperties(place: Place, schema: Json): Map<string, { schema: Json; place: Place }> | "open" {
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return "open";
  const out = new Map<string, { schema: Json; place: Place }>();
  const props = schema.properties as Record<string, Json> | undefined;
  if (!props && !schema.allOf) return schema.type === "object" || schema.type === undefined ? "open" : out;
  for (const [k, v] of Object.entries(props ?? {})) out.set(k, { schema: v, place });
  for (const part of (schema.allOf ?? []) as Json[]) {
    const parent = resolve(place, part);
    const inherited = declaredProperties(parent.place, parent.schema);
    if (inherited === "open") return "open";
    for (const [k, v] of inherited) out.set(k, v);
  }
  return out;
}
