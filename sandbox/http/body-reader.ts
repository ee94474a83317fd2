import type { IncomingMessage } from "node:http";
import { ArmError } from "./arm-error";

/** Bodies above this are refused: nothing the sandbox serves needs more. */
export const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new ArmError(413, "RequestEntityTooLarge", `The request body exceeds ${limit} bytes; send a smaller body.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
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
