/**
 * Loads a package when first called, not when the importing module loads: the function app registers every
 * function at start, and schema validation and YAML parsing are not needed until a request or activity runs.
 */
export function loadWhenUsed<T>(id: "ajv" | "yaml"): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}
