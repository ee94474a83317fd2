// Makes an _extract_ of an Azure REST spec (see SOURCES.md): the named paths, the named definitions, the `info`
// member, and every local definition they reach (`#/definitions/X`, transitively), copied as parsed from the source
// text, never retyped. The source may be the whole spec file or verbatim pieces of it (pages of the stored copy,
// concatenated as given, so adjacent pages join up): each member is found by its key and brace-matched.
// `--definition` names a definition another file references (`./this.json#/definitions/X`) when the file's own paths
// are not wanted. The references into other files the extract keeps are listed, so their targets can be extracted too.
//
//   node test/contracts/extract-spec.mjs --out <extract.json> [--path <template>…] [--definition <name>…] <source>…
import { readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const paths = [];
const roots = [];
const sources = [];
let out;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--path") paths.push(args[++i]);
  else if (args[i] === "--definition") roots.push(args[++i]);
  else if (args[i] === "--out") out = args[++i];
  else sources.push(args[i]);
}
if (!out || paths.length + roots.length === 0 || sources.length === 0) {
  console.error("usage: extract-spec.mjs --out <file> [--path <template>…] [--definition <name>…] <source>…");
  process.exit(2);
}
const text = sources.map((f) => readFileSync(f, "utf8")).join("");

/** The JSON value of the first `"key": {` in the text, brace-matched (strings and escapes respected). */
function member(key) {
  const needle = `${JSON.stringify(key)}: {`;
  const start = text.indexOf(needle);
  if (start < 0) throw new Error(`${key} is not in the source`);
  const open = start + needle.length - 1;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return JSON.parse(text.slice(open, i + 1));
  }
  throw new Error(`${key} is cut off in the source`);
}

/** References into other files, e.g. "./network.json#/definitions/Error" (parameters are dropped by the checker). */
const foreign = new Set();

function localRefs(node, found) {
  if (Array.isArray(node)) node.forEach((n) => localRefs(n, found));
  else if (node && typeof node === "object") {
    const ref = node.$ref;
    if (typeof ref === "string" && ref.startsWith("#/definitions/")) found.add(ref.slice("#/definitions/".length));
    else if (typeof ref === "string" && ref.includes("#/definitions/")) foreign.add(ref);
    Object.values(node).forEach((n) => localRefs(n, found));
  }
}

// `info` records the api-version of the paths; an extract of definitions only may come from pages without it.
const info = paths.length > 0 || text.includes('"info": {') ? { info: member("info") } : {};
const extract = { swagger: "2.0", ...info, paths: {}, definitions: {} };
for (const p of paths) extract.paths[p] = member(p);
const wanted = new Set(roots);
localRefs(extract.paths, wanted);
for (const name of wanted) {
  extract.definitions[name] = member(name);
  localRefs(extract.definitions[name], wanted);
}
writeFileSync(out, `${JSON.stringify(extract, null, 2)}\n`);
console.log(`${out}: ${paths.length} paths, ${wanted.size} definitions`);
for (const ref of [...foreign].sort()) console.log(`  refers to ${ref}`);
