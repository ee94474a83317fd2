import Module from "node:module";
import type { FunctionCallback, FunctionMetadata, HookCallback, ProgrammingModel, RpcLogLevel } from "./rpc-types";

export type HookName = "appStart" | "appTerminate" | "preInvocation" | "postInvocation" | "log";

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  handler: FunctionCallback;
}

/** What the app registered while it loaded: the worker keeps exactly this. */
export interface CoreRegistry {
  functions: Map<string, RegisteredFunction>;
  hooks: Map<HookName, HookCallback[]>;
  programmingModel?: ProgrammingModel;
  /** Errors raised by registrations (duplicate names), reported once loading ends. */
  errors: string[];
  systemLog: (level: RpcLogLevel, message: string) => void;
}

const HOOK_NAMES: readonly string[] = ["appStart", "appTerminate", "preInvocation", "postInvocation", "log"];

class Disposable {
  constructor(private readonly dispose_: () => void) {}
  dispose(): void {
    this.dispose_();
  }
}

let current: CoreRegistry | undefined;
let installed = false;

/** A fresh registry that the next app load fills. */
export function resetCoreRegistry(systemLog: CoreRegistry["systemLog"]): CoreRegistry {
  current = { functions: new Map(), hooks: new Map(), errors: [], systemLog };
  return current;
}

/** The registry of the app loaded last (benchmarks call a handler directly to compare with the host). */
export function currentCoreRegistry(): CoreRegistry | undefined {
  return current;
}

function registry(): CoreRegistry {
  if (!current) throw new Error("devhost: the core API was used before devhost prepared a registry.");
  return current;
}

/** The object the app gets for `require("@azure/functions-core")`, as the Node worker provides it. */
const coreApi = {
  get version(): string {
    return "3.10.1";
  },
  get hostVersion(): string {
    return "4.1037.0";
  },
  setProgrammingModel(pm: ProgrammingModel): void {
    registry().programmingModel = pm;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return registry().programmingModel;
  },
  registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): Disposable {
    const reg = registry();
    const key = metadata.name.toLowerCase();
    if (reg.functions.has(key)) {
      // The real worker throws here too: two functions may not share a name.
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    reg.functions.set(key, { metadata, handler });
    return new Disposable(() => reg.functions.delete(key));
  },
  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!HOOK_NAMES.includes(hookName)) {
      throw new RangeError(`Unrecognized hook "${hookName}"`);
    }
    const reg = registry();
    const list = reg.hooks.get(hookName as HookName) ?? [];
    list.push(callback);
    reg.hooks.set(hookName as HookName, list);
    return new Disposable(() => {
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    });
  },
  log(level: RpcLogLevel, _category: string, message: string): void {
    registry().systemLog(level, message);
  },
  Disposable,
};

/**
 * Hooks `require` so `@azure/functions-core` resolves to devhost's core API, as the Node worker does before it
 * loads an app. Without it `@azure/functions` falls into test mode and silently drops every registration.
 */
export function installCoreApi(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { require: (this: unknown, id: string) => unknown };
  const original = proto.require;
  proto.require = function (this: unknown, id: string): unknown {
    if (id === "@azure/functions-core") return coreApi;
    return original.call(this, id);
  };
}
