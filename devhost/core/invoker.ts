import { randomUUID } from "node:crypto";
import type { CoreRegistry, HookName } from "./core-api-shim";
import type { Registration } from "./registry";
import type { CoreInvocationContext, RpcInvocationResponse, RpcLogLevel, RpcTypedData } from "./rpc-types";

export interface InvokeRequest {
  /** Trigger data as the host sends it over RPC. */
  trigger: RpcTypedData;
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Extra input bindings by binding name (e.g. the durable client JSON). */
  extraInputs?: Record<string, RpcTypedData>;
}

export type UserLog = (functionName: string, level: RpcLogLevel, message: string) => void;

/** Thrown when the function threw; `cause` is what it threw. */
export class FunctionInvocationError extends Error {}

/**
 * Invokes a function exactly as the Node worker does: the package's invocation model converts the RPC data,
 * pre/post invocation hooks run around the call, and the package converts the result back to RPC data.
 */
export class Invoker {
  constructor(
    private readonly registry: CoreRegistry,
    private readonly log: UserLog,
  ) {}

  async invoke(reg: Registration, req: InvokeRequest): Promise<RpcInvocationResponse> {
    const pm = this.registry.programmingModel;
    if (!pm) throw new Error("The app did not load @azure/functions; nothing can be invoked.");
    const inputData = [{ name: reg.triggerName, data: req.trigger }];
    for (const [name, data] of Object.entries(req.extraInputs ?? {})) inputData.push({ name, data });
    const coreCtx: CoreInvocationContext = {
      invocationId: randomUUID(),
      metadata: reg.fn.metadata,
      request: { inputData, triggerMetadata: req.triggerMetadata ?? {} },
      log: (level, _category, message) => this.log(reg.name, level, message),
    };
    const model = pm.getInvocationModel(coreCtx);
    const { context, inputs } = await model.getArguments();
    const hookData: Record<string, unknown> = {};
    coreCtx.state = "preInvocationHooks";
    const pre: Record<string, unknown> = {
      hookData,
      invocationContext: context,
      functionCallback: reg.fn.handler,
      inputs,
    };
    await this.runHooks("preInvocation", pre);
    coreCtx.state = "invocation";
    let result: unknown;
    let error: unknown;
    try {
      result = await model.invokeFunction(
        context,
        pre.inputs as unknown[],
        pre.functionCallback as typeof reg.fn.handler,
      );
    } catch (err) {
      error = err;
    }
    coreCtx.state = "postInvocationHooks";
    const post: Record<string, unknown> = { hookData, invocationContext: context, inputs: pre.inputs, result, error };
    await this.runHooks("postInvocation", post);
    if (post.error !== undefined && post.error !== null) {
      const cause = post.error;
      const message =
        cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause);
      throw new FunctionInvocationError(message, { cause });
    }
    return model.getResponse(context, post.result);
  }

  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.registry.hooks.get(name) ?? []) await hook(context);
  }
}

/** Decodes a returned RPC value into plain JS (what the host would serialise). */
export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json) as unknown;
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.int !== undefined && data.int !== null) return data.int;
  if (data.double !== undefined && data.double !== null) return data.double;
  if (data.bytes) return Buffer.from(data.bytes).toString("base64");
  return undefined;
}
