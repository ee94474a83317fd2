import type { SandboxResponse } from "../http/http-types";
import type { ArmCall } from "./arm-handler";

/**
 * A 200 with one page of a list and ARM's `nextLink` (absolute, carrying api-version, `$skiptoken` and `$top`).
 * Pages hold the seed's `armPageSize` unless `pageSize` is given; `honourTop` lets `$top` set the size, as the
 * APIs that honour it do (Private DNS record sets).
 */
export function pageOf<T>(
  call: ArmCall,
  items: T[],
  options: { pageSize?: number; honourTop?: boolean } = {},
): SandboxResponse {
  const { req, ctx } = call;
  const skip = Math.max(0, Number.parseInt(req.url.searchParams.get("$skiptoken") ?? "0", 10) || 0);
  const top = Number.parseInt(req.url.searchParams.get("$top") ?? "", 10);
  const size = options.honourTop && top >= 1 ? top : (options.pageSize ?? ctx.store.seed.armPageSize);
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { status: 200, json: { value } };
  const next = new URL(req.path, ctx.baseUrl());
  for (const [k, v] of req.url.searchParams) if (k !== "$skiptoken") next.searchParams.set(k, v);
  next.searchParams.set("$skiptoken", String(skip + size));
  return { status: 200, json: { value, nextLink: next.toString() } };
}
