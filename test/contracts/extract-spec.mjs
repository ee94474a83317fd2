// Makes an _extract_ of an Azure REST spec (see SOURCES.md): the named paths, the `info` member, and every local
// definition they reach (`#/definitions/X`, transitively), copied as parsed from the source text, never retyped.
// The source may be the whole spec file or verbatim pieces of it (pages of the stored copy, concatenated as given, so
// adjacent pages join up): each member is found by its key and brace-matched.
//
//   node test/contracts/extract-spec.mjs --out <extract.json> --path <template> [--path …] <source> [<source> …]
import { readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const paths = [];
const sources = [];
let out;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--path") paths.push(args[++i]);
  else if (args[i] === "--out") out = args[++i];
  else sources.push(args[i]);
}
if (!out || paths.length === 0 || sources.length === 0) {
  console.error("usage: extract-spec.mjs --out <file> --path <template> [--path …] <source> [<source> …]");
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

function localRefs(node, found) {
  if (Array.isArray(node)) node.forEach((n) => localRefs(n, found));
  else if (node && typeof node === "object") {
    const ref = node.$ref;
    if (typeof ref === "string" && ref.startsWith("#/definitions/")) found.add(ref.slice("#/definitions/".length));
    Object.values(node).forEach((n) => localRefs(n, found));
  }
}

const extract = { swagger: "2.0", info: member("info"), paths: {}, definitions: {} };
for (const p of paths) extract.paths[p] = member(p);
const wanted = new Set();
localRefs(extract.paths, wanted);
for (const name of wanted) {
  extract.definitions[name] = member(name);
  localRefs(extract.definitions[name], wanted);
}
writeFileSync(out, `${JSON.stringify(extract, null, 2)}\n`);
console.log(`${out}: ${paths.length} paths, ${wanted.size} definitions`);
