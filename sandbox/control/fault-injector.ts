import { ArmError } from "../http/arm-error";

export interface FaultOptions {
  rate429: number;
  rate5xx: number;
  latencyMs: number;
  seed: number;
  /** Retry-After seconds on 429s; absent → 429s carry no Retry-After (the SDK then does not retry). */
  retryAfterSeconds?: number;
  /** Share of calls that never answer (until the sandbox stops or the client gives up). */
  timeoutRate: number;
  /** Only calls whose "METHOD /path" or operation contains this text (case-insensitive). */
  match?: string;
  /** Stop injecting after this many faults (e.g. 1: exactly the first matching call fails). */
  maxFaults?: number;
  /** Which surface fails: ARM (default), the Teams webhook or ACS email. */
  target: FaultTarget;
}

export type FaultTarget = "arm" | "teams" | "email";
const FAULT_TARGETS: readonly FaultTarget[] = ["arm", "teams", "email"];

export type FaultDecision = { kind: "none" } | { kind: "hang" } | { kind: "error"; error: ArmError };

/** mulberry32: a small seeded PRNG so a fault run repeats exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses POST /_sandbox/faults input; bad input is an ARM-shaped 400 naming the field. */
export function parseFaultOptions(body: Record<string, unknown>): FaultOptions {
  const rate = (name: string): number => {
    const v = body[name] ?? 0;
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new ArmError(400, "InvalidFaultOptions", `${name} must be a number from 0 to 1.`);
    }
    return v;
  };
  const nonNegative = (name: string, fallback?: number): number | undefined => {
    const v = body[name] ?? fallback;
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new ArmError(400, "InvalidFaultOptions", `${name} must be a number >= 0.`);
    }
    return v;
  };
  const match = body.match;
  if (match !== undefined && typeof match !== "string") {
    throw new ArmError(400, "InvalidFaultOptions", 'match must be a string, e.g. "privateEndpointConnections".');
  }
  const target = body.target ?? "arm";
  if (!FAULT_TARGETS.includes(target as FaultTarget)) {
    throw new ArmError(400, "InvalidFaultOptions", `target must be one of ${FAULT_TARGETS.join(", ")}.`);
  }
  const options: FaultOptions = {
    target: target as FaultTarget,
    rate429: rate("rate429"),
    rate5xx: rate("rate5xx"),
    timeoutRate: rate("timeoutRate"),
    latencyMs: Math.min(nonNegative("latencyMs", 0)!, 60_000),
    seed: Math.floor(nonNegative("seed", 1)!),
    retryAfterSeconds: nonNegative("retryAfterSeconds"),
    maxFaults: nonNegative("maxFaults"),
    match,
  };
  if (options.rate429 + options.rate5xx + options.timeoutRate > 1) {
    throw new ArmError(400, "InvalidFaultOptions", "rate429 + rate5xx + timeoutRate must not exceed 1.");
  }
  return options;
}

/** Decides, per ARM call, whether to fail it; deterministic for a given seed and call order. */
export class FaultInjector {
  private options?: FaultOptions;
  private random: () => number = prng(1);
  private injected = 0;

  configure(options: FaultOptions | undefined): void {
    this.options = options;
    this.random = prng(options?.seed ?? 1);
    this.injected = 0;
  }

  current(): FaultOptions | undefined {
    return this.options;
  }

  latencyMs(): number {
    return this.options?.target === "arm" ? this.options.latencyMs : 0;
  }

  /** For the notification surfaces: throws the injected error (an unanswered call becomes a 504). */
  failIfDue(req: { method: string; path: string }, target: FaultTarget): void {
    const decision = this.decide(`${req.method} ${req.path}`, target, target);
    if (decision.kind === "error") throw decision.error;
    if (decision.kind === "hang") throw new ArmError(504, "GatewayTimeout", "Simulated timeout; retry later.");
  }

  decide(methodAndPath: string, operation: string, target: FaultTarget = "arm"): FaultDecision {
    const o = this.options;
    if (!o || o.target !== target) return { kind: "none" };
    if (o.match) {
      const m = o.match.toLowerCase();
      if (!methodAndPath.toLowerCase().includes(m) && !operation.toLowerCase().includes(m)) return { kind: "none" };
    }
    if (o.maxFaults !== undefined && this.injected >= o.maxFaults) return { kind: "none" };
    const r = this.random();
    let decision: FaultDecision = { kind: "none" };
    if (r < o.timeoutRate) decision = { kind: "hang" };
    else if (r < o.timeoutRate + o.rate429) {
      const headers = o.retryAfterSeconds !== undefined ? { "retry-after": String(o.retryAfterSeconds) } : undefined;
      decision = {
        kind: "error",
        error: new ArmError(
          429,
          "TooManyRequests",
          "The request is being throttled; retry after the indicated time.",
          headers,
        ),
      };
    } else if (r < o.timeoutRate + o.rate429 + o.rate5xx) {
      decision =
        this.random() < 0.5
          ? { kind: "error", error: new ArmError(500, "InternalServerError", "Simulated internal error; retry later.") }
          : { kind: "error", error: new ArmError(503, "ServiceUnavailable", "Simulated outage; retry later.") };
    }
    if (decision.kind !== "none") this.injected += 1;
    return decision;
  }
}
