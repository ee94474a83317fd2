import type { Handler, SandboxRequest, SandboxResponse } from "./http-types";
import { ArmError } from "./arm-error";

interface Route {
  method: string;
  pattern: RegExp;
  handler: (req: SandboxRequest, params: string[]) => Promise<SandboxResponse> | SandboxResponse;
}

/** A tiny first-match router over regular expressions; captured groups become params (URL-decoded). */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: RegExp, handler: Route["handler"]): this {
    this.routes.push({ method, pattern, handler });
    return this;
  }

  /** Returns undefined when no pattern matches the path, so another router can try. */
  match(req: SandboxRequest): Handler | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params = m.slice(1).map((p) => safeDecode(p ?? ""));
      return (r) => route.handler(r, params);
    }
    if (pathMatched) {
      return () => {
        throw new ArmError(405, "MethodNotAllowed", `${req.method} is not supported on ${req.path}.`);
      };
    }
    return undefined;
  }
}

/** Percent-decodes a path segment; a malformed escape stays as sent, so it reaches a 4xx rather than a throw. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
