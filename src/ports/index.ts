export * from "./errors";
export type * from "./connection-gateway.port";
export type * from "./dns-registrar.port";
export type * from "./bookkeeping.port";
export type * from "./notifier.port";
export type * from "./policy-source.port";
