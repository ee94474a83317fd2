import type { IncomingMessage } from "node:http";
import { ArmError } from "./arm-error";

/** Bodies above this are refused: nothing the sandbox serves needs more. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the body up to `limit` bytes. An oversized body is drained and discarded, not cut off, so the client reads
 * the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (size > limit) {
        reject(
          new ArmError(413, "RequestEntityTooLarge", `The request body exceeds ${limit} bytes; send a smaller body.`),
        );
      } else resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Parses a JSON object body or fails with ARM's InvalidRequestContent. */
export function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: send a JSON object.",
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
