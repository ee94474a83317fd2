import type { SandboxRequest } from "../http/http-types";

/**
 * One page of a list with ARM's `nextLink` (absolute, carrying api-version, `$skiptoken` and `$top`). `$top` sets
 * the page size where an API honours it (Private DNS record sets).
 */
export function pageOf<T>(
  items: T[],
  req: SandboxRequest,
  baseUrl: string,
  pageSize: number,
  honourTop = false,
): {
  value: T[];
  nextLink?: string;
} {
  const skip = Math.max(0, Number.parseInt(req.url.searchParams.get("$skiptoken") ?? "0", 10) || 0);
  const top = Number.parseInt(req.url.searchParams.get("$top") ?? "", 10);
  const size = honourTop && top >= 1 ? top : pageSize;
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { value };
  const next = new URL(req.path, baseUrl);
  for (const [k, v] of req.url.searchParams) if (k !== "$skiptoken") next.searchParams.set(k, v);
  next.searchParams.set("$skiptoken", String(skip + size));
  return { value, nextLink: next.toString() };
}
