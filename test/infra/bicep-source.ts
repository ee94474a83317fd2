/**
 * Reads the project's Bicep with tree-sitter-bicep (its wasm build through web-tree-sitter: no native addon, no
 * Bicep CLI) and answers the structural questions the infra tests ask.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { Language, Parser, type Node } from "web-tree-sitter";

export const ROOT = resolve(__dirname, "../..");
export const INFRA = join(ROOT, "infra");

export interface BicepFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  text: string;
  root: Node;
}

export interface ResourceDeclaration {
  file: string;
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  /** The resource body (inside `if (...)` / `[for ...]` when present). */
  body: Node | undefined;
  line: number;
}

let parserPromise: Promise<Parser> | undefined;

function parser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const require = createRequire(__filename);
    await Parser.init();
    const wasm = readFileSync(require.resolve("tree-sitter-bicep/tree-sitter-bicep.wasm"));
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })();
  return parserPromise;
}

export async function parseBicep(text: string, path = "<inline>"): Promise<BicepFile> {
  const tree = (await parser()).parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  return { path, text, root: tree.rootNode };
}

export function listBicepFiles(dir = INFRA): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listBicepFiles(full));
    else if (entry.name.endsWith(".bicep")) out.push(full);
  }
  return out.sort();
}

export async function loadInfra(): Promise<BicepFile[]> {
  return Promise.all(
    listBicepFiles().map((full) => parseBicep(readFileSync(full, "utf8"), relative(ROOT, full).split("\\").join("/"))),
  );
}

/** ERROR and MISSING nodes, as "line:column text" strings. */
export function syntaxProblems(file: BicepFile): string[] {
  const problems: string[] = [];
  const walk = (node: Node): void => {
    if (node.isError || node.isMissing) {
      const kind = node.isMissing ? `MISSING ${node.type}` : "ERROR";
      problems.push(
        `${file.path}:${node.startPosition.row + 1}:${node.startPosition.column + 1} ${kind} ${node.text.slice(0, 60)}`,
      );
    }
    for (const child of node.children) walk(child);
  };
  walk(file.root);
  return problems;
}

export function descendants(node: Node, type: string): Node[] {
  const found: Node[] = [];
  const walk = (n: Node): void => {
    if (n.type === type) found.push(n);
    for (const child of n.namedChildren) walk(child);
  };
  walk(node);
  return found;
}

/** The literal value of a string node without interpolation, or undefined. */
export function stringLiteral(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== "string") return undefined;
  if (node.namedChildren.some((c) => c.type === "interpolation")) return undefined;
  return node.namedChildren
    .filter((c) => c.type === "string_content" || c.type === "escape_sequence")
    .map((c) => c.text)
    .join("");
}

/** Unwraps `if (...) { }` and `[for x in y: { }]` down to the object body. */
export function bodyObject(node: Node | undefined): Node | undefined {
  if (!node) return undefined;
  if (node.type === "object") return node;
  if (node.type === "if_statement" || node.type === "for_statement") {
    return bodyObject(node.namedChildren[node.namedChildren.length - 1]);
  }
  return undefined;
}

export function propertyKey(property: Node): string | undefined {
  const key = property.namedChildren[0];
  if (!key) return undefined;
  return key.type === "string" ? stringLiteral(key) : key.text;
}

/** The value node of `key:` directly inside an object. */
export function property(object: Node | undefined, key: string): Node | undefined {
  if (!object) return undefined;
  for (const prop of object.namedChildren) {
    if (prop.type === "object_property" && propertyKey(prop) === key) return prop.namedChildren[1];
  }
  return undefined;
}

export function propertyKeys(object: Node): string[] {
  return object.namedChildren
    .filter((p) => p.type === "object_property")
    .map((p) => propertyKey(p))
    .filter((k): k is string => k !== undefined);
}

export function resources(file: BicepFile): ResourceDeclaration[] {
  return descendants(file.root, "resource_declaration").map((decl) => {
    const [symbol, typeNode, ...rest] = decl.namedChildren;
    const typeText = stringLiteral(typeNode) ?? "";
    const at = typeText.lastIndexOf("@");
    return {
      file: file.path,
      symbol: symbol?.text ?? "",
      type: at < 0 ? typeText : typeText.slice(0, at),
      apiVersion: at < 0 ? "" : typeText.slice(at + 1),
      existing: decl.children.some((c) => c.type === "existing"),
      body: bodyObject(rest[rest.length - 1]),
      line: decl.startPosition.row + 1,
    };
  });
}

export function variable(file: BicepFile, name: string): Node | undefined {
  const decl = descendants(file.root, "variable_declaration").find((d) => d.namedChildren[0]?.text === name);
  return decl?.namedChildren[decl.namedChildren.length - 1];
}

export function parameterNames(file: BicepFile): string[] {
  return descendants(file.root, "parameter_declaration").map((d) => d.namedChildren[0]?.text ?? "");
}

/** Parameters without a default value (the deployment must supply them). */
export function requiredParameterNames(file: BicepFile): string[] {
  return descendants(file.root, "parameter_declaration")
    .filter((d) => !d.children.some((c) => c.type === "="))
    .map((d) => d.namedChildren[0]?.text ?? "");
}

/** Paths given to loadJsonContent('...') in a file. */
export function loadedJsonPaths(file: BicepFile): string[] {
  return descendants(file.root, "call_expression")
    .filter((call) => call.childForFieldName("function")?.text === "loadJsonContent")
    .map((call) => stringLiteral(call.childForFieldName("arguments")?.namedChildren[0]))
    .filter((p): p is string => p !== undefined);
}

export interface ModuleDeclaration {
  file: string;
  symbol: string;
  /** Module file relative to the project root. */
  path: string;
  params: Node | undefined;
  line: number;
}

export function modules(file: BicepFile): ModuleDeclaration[] {
  const dir = file.path.slice(0, file.path.lastIndexOf("/"));
  return descendants(file.root, "module_declaration").map((decl) => {
    const [symbol, pathNode, ...rest] = decl.namedChildren;
    return {
      file: file.path,
      symbol: symbol?.text ?? "",
      path: join(dir, stringLiteral(pathNode) ?? "")
        .split("\\")
        .join("/"),
      params: property(bodyObject(rest[rest.length - 1]), "params"),
      line: decl.startPosition.row + 1,
    };
  });
}

export function outputNames(file: BicepFile): string[] {
  return descendants(file.root, "output_declaration").map((d) => d.namedChildren[0]?.text ?? "");
}

export function targetScope(file: BicepFile): string {
  const assignment = descendants(file.root, "target_scope_assignment")[0];
  return stringLiteral(assignment?.namedChildren[0]) ?? "resourceGroup";
}

/** `symbol.outputs.name` references (also `symbol[i].outputs.name`), as { symbol, output, line }. */
export function outputReferences(file: BicepFile): { symbol: string; output: string; line: number }[] {
  return descendants(file.root, "member_expression")
    .filter((m) => m.childForFieldName("object")?.childForFieldName("property")?.text === "outputs")
    .map((m) => {
      let owner = m.childForFieldName("object")?.childForFieldName("object");
      while (owner && owner.type !== "identifier") owner = owner.childForFieldName("object") ?? undefined;
      return {
        symbol: owner?.text ?? "",
        output: m.childForFieldName("property")?.text ?? "",
        line: m.startPosition.row + 1,
      };
    });
}
