/** Azure Functions route templates: literal segments, `{name}`, `{name?}` and a trailing `{*rest}`. */
import { safeDecode } from "./request-parts";

export interface CompiledRoute {
  template: string;
  match(path: string): Record<string, string> | undefined;
}

interface Segment {
  literal?: string;
  param?: string;
  optional?: boolean;
  catchAll?: boolean;
}

export class RouteTemplateError extends Error {}

/** Compiles a template, rejecting what devhost does not implement (constraints, defaults) at registration. */
export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  const segments: Segment[] = trimmed === "" ? [] : trimmed.split("/").map((raw) => parseSegment(raw, template));
  segments.forEach((s, i) => {
    if (s.catchAll && i !== segments.length - 1) {
      throw new RouteTemplateError(`Route "${template}": a catch-all parameter must be the last segment.`);
    }
    if (s.optional && segments.slice(i + 1).some((later) => !later.optional && !later.catchAll)) {
      throw new RouteTemplateError(`Route "${template}": only trailing parameters may be optional.`);
    }
  });
  return { template, match: (path) => matchSegments(segments, path) };
}

function parseSegment(raw: string, template: string): Segment {
  if (raw === "") throw new RouteTemplateError(`Route "${template}" has an empty segment ("//").`);
  const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(\?)?(.*)\}$/.exec(raw);
  if (!m) {
    if (/[{}]/.test(raw)) {
      throw new RouteTemplateError(
        `Route "${template}": segment "${raw}" mixes text and parameters; devhost supports whole-segment parameters only.`,
      );
    }
    return { literal: raw.toLowerCase() };
  }
  const [, star, name, question, rest] = m;
  if (rest) {
    throw new RouteTemplateError(
      `Route "${template}": constraint or default "${rest}" on {${name}} is not supported by devhost; remove it and validate the value in the handler.`,
    );
  }
  return { param: name!, optional: question === "?", catchAll: star === "*" };
}

function matchSegments(segments: Segment[], path: string): Record<string, string> | undefined {
  const parts = path
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .filter((p) => p !== "");
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i];
    if (seg.catchAll) {
      const rest = parts.slice(i);
      if (rest.length > 0) params[seg.param!] = rest.map(safeDecode).join("/");
      return params;
    }
    if (part === undefined) {
      if (seg.optional) continue;
      return undefined;
    }
    if (seg.literal !== undefined) {
      if (safeDecode(part).toLowerCase() !== seg.literal) return undefined;
    } else {
      params[seg.param!] = safeDecode(part);
    }
  }
  return parts.length > segments.length ? undefined : params;
}
