import type { IncomingMessage } from "node:http";

/** Percent-decodes a path segment; a malformed escape stays as sent, so hostile paths reach a 4xx, not a throw. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first value of a request header (Node gives arrays for repeated ones). */
export function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A failure as callers see it: the message without the stack trace or file paths (they tell an outsider how the
 * machine is laid out, and the host's log keeps them).
 */
export function withoutStack(text: string): string {
  const lines = text.split("\n");
  const firstFrame = lines.findIndex((l) => /^\s+at\s/.test(l));
  const message = (firstFrame < 0 ? lines : lines.slice(0, firstFrame)).join("\n").trimEnd();
  // Only file paths of code (ARM ids in messages stay: they say which resource).
  return message.replace(
    /(?:file:\/\/)?(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+)+\.(?:[cm]?js|ts|json)\b(?::\d+){0,2}/g,
    "<path>",
  );
}
