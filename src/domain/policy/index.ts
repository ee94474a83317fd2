export * from "./policy-document";
export * from "./duration";
export * from "./content-hash";
export * from "./parse-policy";
export * from "./evaluate-policy";
export { MAX_REGEX_LENGTH } from "./rule-matchers";
