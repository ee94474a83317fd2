import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { ArmError } from "../http/arm-error";
import { parseJsonObject } from "../http/body-reader";
import type { SandboxRequest, SandboxResponse } from "../http/http-types";
import type { FaultInjector } from "../control/fault-injector";
import { isCommunicationAudience, type TokenStore } from "../identity/token-store";
import type { Inbox } from "./inbox";

// 2023-03-31 is the GA version; the installed @azure/communication-email 1.1.0 sends 2025-09-01.
const EMAIL_API_VERSIONS = ["2023-03-31", "2024-07-01-preview", "2025-09-01"];
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface AcsEmailOptions {
  accessKey: string;
  senderAddresses: string[];
  inbox: Inbox;
  baseUrl: () => string;
  now: () => Date;
  faults: FaultInjector;
  /** Managed-identity tokens for https://communication.azure.com are accepted as well as the HMAC scheme. */
  tokens: TokenStore;
  /** Operation-Id → operation id already answered: ACS keeps a repeated send from going out twice. */
  operations: Map<string, string>;
}

const acsError = (status: number, code: string, message: string): ArmError => new ArmError(status, code, message);

/** Azure Communication Services email: `POST /emails:send` (HMAC-signed) → 202 + Operation-Location; GET the operation. */
export function handleAcsEmail(options: AcsEmailOptions, req: SandboxRequest): SandboxResponse | undefined {
  const isSend = req.path === "/emails:send";
  const op = /^\/emails\/operations\/([A-Za-z0-9-]{1,100})$/.exec(req.path);
  if (!isSend && !op) return undefined;
  const apiVersion = req.url.searchParams.get("api-version") ?? "";
  if (!EMAIL_API_VERSIONS.includes(apiVersion)) {
    throw acsError(
      400,
      "InvalidApiVersion",
      `The api-version '${apiVersion}' is not supported; use one of ${EMAIL_API_VERSIONS.join(", ")}.`,
    );
  }
  options.faults.failIfDue(req, "email");
  authenticate(options, req);
  if (op) {
    if (req.method !== "GET") throw acsError(405, "MethodNotAllowed", "Use GET on an email operation.");
    return { status: 200, json: { id: op[1], status: "Succeeded" } };
  }
  if (req.method !== "POST") throw acsError(405, "MethodNotAllowed", "Use POST to send an email.");
  const operationId = req.headers["operation-id"];
  const repeated = typeof operationId === "string" ? options.operations.get(operationId.toLowerCase()) : undefined;
  if (repeated) return accepted(options, repeated, apiVersion);
  const message = parseJsonObject(req.body);
  const sender = message.senderAddress;
  const recipients = message.recipients as { to?: { address?: unknown }[] } | undefined;
  const content = message.content as { subject?: unknown; plainText?: unknown; html?: unknown } | undefined;
  if (typeof sender !== "string" || !options.senderAddresses.some((s) => s.toLowerCase() === sender.toLowerCase())) {
    throw acsError(
      400,
      "InvalidSenderUserName",
      `senderAddress must be one of the verified senders: ${options.senderAddresses.join(", ")}.`,
    );
  }
  const to = Array.isArray(recipients?.to) ? recipients.to.map((r) => r?.address) : [];
  if (to.length === 0 || !to.every((a): a is string => typeof a === "string" && /^[^@\s]+@[^@\s]+$/.test(a))) {
    throw acsError(400, "InvalidRecipients", 'recipients.to must list at least one { address: "name@example.com" }.');
  }
  if (
    typeof content?.subject !== "string" ||
    (typeof content.plainText !== "string" && typeof content.html !== "string")
  ) {
    throw acsError(400, "InvalidContent", "content needs a subject and a plainText or html body.");
  }
  options.inbox.add(
    {
      kind: "email",
      to,
      from: sender,
      subject: content.subject,
      ...(typeof content.plainText === "string" ? { plainText: content.plainText } : {}),
      ...(typeof content.html === "string" ? { html: content.html } : {}),
    },
    options.now(),
  );
  const id = typeof operationId === "string" && /^[0-9a-f-]{36}$/i.test(operationId) ? operationId : randomUUID();
  if (typeof operationId === "string") options.operations.set(operationId.toLowerCase(), id);
  return accepted(options, id, apiVersion);
}

function accepted(options: AcsEmailOptions, id: string, apiVersion: string): SandboxResponse {
  return {
    status: 202,
    headers: { "operation-location": `${options.baseUrl()}/emails/operations/${id}?api-version=${apiVersion}` },
    json: { id, status: "Running" },
  };
}

/** Entra ID (a managed identity's bearer token for ACS) or the access key's HMAC signature, as ACS accepts both. */
function authenticate(options: AcsEmailOptions, req: SandboxRequest): void {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!bearer) return verifySignature(options, req);
  const token = options.tokens.lookup(bearer[1]!, Math.floor(options.now().getTime() / 1000));
  if (!token || !isCommunicationAudience(token.resource)) {
    throw acsError(401, "Denied", "The bearer token is invalid, expired or not for https://communication.azure.com.");
  }
}

/** The HMAC-SHA256 scheme of communication-common: VERB\npath?query\ndate;host;contentHash, keyed by the access key. */
function verifySignature(options: AcsEmailOptions, req: SandboxRequest): void {
  const date = req.headers["x-ms-date"];
  const contentHash = req.headers["x-ms-content-sha256"];
  const auth = req.headers.authorization ?? "";
  const m = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(auth);
  if (typeof date !== "string" || typeof contentHash !== "string" || !m) {
    throw acsError(
      401,
      "Denied",
      "Sign the request with HMAC-SHA256 (x-ms-date, x-ms-content-sha256, Authorization); use the connection string's access key.",
    );
  }
  if (m[1] !== "x-ms-date;host;x-ms-content-sha256")
    throw acsError(401, "Denied", "SignedHeaders must be x-ms-date;host;x-ms-content-sha256.");
  const sent = Date.parse(date);
  if (!Number.isFinite(sent) || Math.abs(options.now().getTime() - sent) > MAX_CLOCK_SKEW_MS) {
    throw acsError(401, "Denied", "x-ms-date is missing or more than 15 minutes off; check the client clock.");
  }
  const actualHash = createHash("sha256").update(req.body).digest("base64");
  if (actualHash !== contentHash) throw acsError(401, "Denied", "x-ms-content-sha256 does not match the body.");
  const query = req.url.searchParams.toString();
  const pathAndQuery = query ? `${req.url.pathname}?${query}` : req.url.pathname;
  const stringToSign = `${req.method}\n${pathAndQuery}\n${date};${req.headers.host ?? ""};${contentHash}`;
  const expected = createHmac("sha256", Buffer.from(options.accessKey, "base64")).update(stringToSign).digest();
  const given = Buffer.from(m[2]!, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw acsError(401, "Denied", "The HMAC signature does not match; check the access key in the connection string.");
  }
}
