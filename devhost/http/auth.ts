import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { firstHeader } from "./request-parts";

/** The local key is accepted as the `x-functions-key` header or the `code` query parameter, as the host does. */
export function hasKey(req: IncomingMessage, url: URL, key: string): boolean {
  const given = firstHeader(req, "x-functions-key") ?? url.searchParams.get("code") ?? "";
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}
