/**
 * The slice of the `@azure/functions-core` contract (the Node worker's API) that devhost provides.
 * Shapes follow the worker's typings; the package reads them, so keep names exact.
 */

export type RpcLogLevel = "information" | "debug" | "error" | "trace" | "warning" | "critical" | "none";

export interface RpcBindingInfo {
  type?: string | null;
  direction?: "in" | "out" | "inout" | null;
  dataType?: string | null;
  [property: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  query?: Record<string, string> | null;
  params?: Record<string, string> | null;
  body?: RpcTypedData | null;
  statusCode?: string | null;
  cookies?: RpcHttpCookie[] | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: { value?: string | null } | null;
  path?: { value?: string | null } | null;
  expires?: { value?: { seconds?: number | string | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: string | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface CoreInvocationContext {
  invocationId: string;
  metadata: FunctionMetadata;
  request: {
    inputData: { name: string; data: RpcTypedData }[];
    triggerMetadata: Record<string, RpcTypedData>;
  };
  state?: "preInvocationHooks" | "postInvocationHooks" | "invocation";
  log(level: RpcLogLevel, category: "user" | "system", message: string): void;
}

export interface InvocationArguments {
  context: unknown;
  inputs: unknown[];
}

export interface RpcInvocationResponse {
  invocationId?: string;
  outputData?: { name: string; data: RpcTypedData | null | undefined }[];
  returnValue?: RpcTypedData | null;
}

export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}
