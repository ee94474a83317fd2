import { compileRoute, RouteTemplateError, type CompiledRoute } from "../http/route-template";
import type { CoreRegistry, RegisteredFunction } from "./core-api-shim";
import type { RpcBindingInfo } from "./rpc-types";

export type TriggerKind = "http" | "timer" | "eventGrid" | "orchestration" | "activity";

export interface Registration {
  name: string;
  kind: TriggerKind;
  /** Binding name of the trigger (the key in metadata.bindings). */
  triggerName: string;
  trigger: RpcBindingInfo;
  fn: RegisteredFunction;
  /** Name of the durableClient input binding, when there is one. */
  durableClientBinding?: string;
  http?: { methods: string[]; authLevel: "anonymous" | "function" | "admin"; route: CompiledRoute };
  timer?: { schedule: string; runOnStartup: boolean };
}

export class RegistrationError extends Error {}

const TRIGGERS: Record<string, TriggerKind> = {
  httptrigger: "http",
  timertrigger: "timer",
  eventgridtrigger: "eventGrid",
  orchestrationtrigger: "orchestration",
  activitytrigger: "activity",
};

const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Turns raw registrations into what devhost serves; anything it cannot run is an error now, not at first call. */
export function buildRegistrations(reg: CoreRegistry): Registration[] {
  const problems: string[] = [...reg.errors];
  const out: Registration[] = [];
  for (const fn of reg.functions.values()) {
    try {
      out.push(toRegistration(fn));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (problems.length > 0) {
    throw new RegistrationError(`devhost cannot run this app:\n- ${problems.join("\n- ")}`);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function toRegistration(fn: RegisteredFunction): Registration {
  const { name, bindings } = fn.metadata;
  let trigger: [string, RpcBindingInfo] | undefined;
  let durableClientBinding: string | undefined;
  for (const [bindingName, binding] of Object.entries(bindings)) {
    const type = String(binding.type ?? "").toLowerCase();
    if (type.endsWith("trigger")) {
      if (!(type in TRIGGERS)) {
        const hint = type === "entitytrigger" ? " Durable entities are not supported by devhost." : "";
        throw new Error(`Function "${name}": trigger type "${binding.type}" is not supported by devhost.${hint}`);
      }
      trigger = [bindingName, binding];
    } else if (type === "durableclient" || type === "orchestrationclient") {
      durableClientBinding = bindingName;
    } else if (!(binding.direction === "out" && type === "http")) {
      throw new Error(
        `Function "${name}": ${binding.direction ?? "?"} binding "${bindingName}" of type "${binding.type}" is not supported by devhost (supported: http output, durableClient input).`,
      );
    }
  }
  if (!trigger) throw new Error(`Function "${name}" has no trigger binding.`);
  const [triggerName, triggerBinding] = trigger;
  const kind = TRIGGERS[String(triggerBinding.type).toLowerCase()]!;
  const r: Registration = { name, kind, triggerName, trigger: triggerBinding, fn, durableClientBinding };
  if (kind === "http") {
    const methods = Array.isArray(triggerBinding.methods)
      ? (triggerBinding.methods as string[]).map((m) => m.toUpperCase())
      : ALL_METHODS;
    const authLevel = (
      typeof triggerBinding.authLevel === "string" ? triggerBinding.authLevel : "function"
    ).toLowerCase();
    if (authLevel !== "anonymous" && authLevel !== "function" && authLevel !== "admin") {
      throw new Error(`Function "${name}": authLevel "${authLevel}" is not one of anonymous, function, admin.`);
    }
    const template =
      typeof triggerBinding.route === "string" && triggerBinding.route !== "" ? triggerBinding.route : name;
    try {
      r.http = { methods, authLevel, route: compileRoute(template) };
    } catch (err) {
      if (err instanceof RouteTemplateError) throw new Error(`Function "${name}": ${err.message}`);
      throw err;
    }
  }
  if (kind === "timer") {
    const schedule = typeof triggerBinding.schedule === "string" ? triggerBinding.schedule : "";
    r.timer = { schedule, runOnStartup: triggerBinding.runOnStartup === true };
  }
  return r;
}

/** The lines the real host prints at start, so a developer sees the same list. */
export function describeRegistrations(regs: Registration[], baseUrl: string, routePrefix: string): string[] {
  const prefix = routePrefix ? `/${routePrefix}` : "";
  return regs.map((r) => {
    switch (r.kind) {
      case "http":
        return `${r.name}: [${r.http!.methods.join(",")}] ${baseUrl}${prefix}/${r.http!.route.template.replace(/^\/+/, "")}`;
      case "timer":
        return `${r.name}: timerTrigger (${r.timer!.schedule})`;
      default:
        return `${r.name}: ${r.kind}Trigger`;
    }
  });
}
