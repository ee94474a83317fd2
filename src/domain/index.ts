export * from "./errors";
export * from "./connection";
export * from "./tenant";
export * from "./arm-id";
export * from "./intake";
export * from "./policy/index";
export * from "./dns/index";
export * from "./approval-token";
