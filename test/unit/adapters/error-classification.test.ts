import { afterEach, describe, expect, it, vi } from "vitest";
import { statusOf as armStatusOf, toPortError as armError } from "../../../src/adapters/arm/arm-errors";
import { statusOf as tableStatusOf, toPortError as tableError } from "../../../src/adapters/tables/table-errors";
import { PermanentError, TransientError } from "../../../src/ports/errors";

/** A RestError as the Azure SDKs throw it: status, code, message and the response's headers. */
function restError(
  statusCode: number | undefined,
  fields: { code?: string; message?: string; retryAfter?: string } = {},
) {
  const headers = new Map(fields.retryAfter === undefined ? [] : [["retry-after", fields.retryAfter]]);
  return {
    name: "RestError",
    statusCode,
    code: fields.code,
    message: fields.message ?? "failed",
    response: { headers: { get: (name: string) => headers.get(name) } },
  };
}

function permanent(error: Error): PermanentError {
  expect(error).toBeInstanceOf(PermanentError);
  return error as PermanentError;
}

function transient(error: Error): TransientError {
  expect(error).toBeInstanceOf(TransientError);
  return error as TransientError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ARM error classification", () => {
  it("passes our own errors through untouched", () => {
    const p = new PermanentError("X", "y");
    const t = new TransientError("Z", "w");
    expect(armError(p, "reading")).toBe(p);
    expect(armError(t, "reading")).toBe(t);
  });

  it("403 is our identity's missing role, named with what we were doing", () => {
    const e = permanent(armError(restError(403, { code: "AuthorizationFailed" }), "reading the connection"));
    expect(e.code).toBe("ARM_FORBIDDEN");
    expect(e.message).toBe(
      "ARM refused reading the connection (403 AuthorizationFailed): grant the app's identity the custom role on that scope.",
    );
  });

  it("401 is a token ARM does not accept", () => {
    const e = permanent(armError(restError(401, { code: "InvalidAuthenticationToken" }), "listing"));
    expect(e.code).toBe("ARM_UNAUTHORIZED");
    expect(e.message).toBe(
      "ARM did not accept the app's token for listing (401 InvalidAuthenticationToken); check the managed identity.",
    );
  });

  it("404 is nothing there, with or without a code", () => {
    const e = permanent(armError(restError(404, { code: "ResourceNotFound" }), "reading x"));
    expect(e).toMatchObject({
      code: "ARM_NOT_FOUND",
      message: "ARM found nothing for reading x (404 ResourceNotFound).",
    });
    expect(permanent(armError(restError(404), "reading x")).message).toBe("ARM found nothing for reading x (404 ).");
  });

  it.each([
    "StateChangeNotAllowed",
    "ConnectionNotPending",
    "InvalidPrivateEndpointConnectionState",
    "statechangenotallowed",
  ])("400 %s means the connection is no longer Pending", (code) => {
    const e = permanent(armError(restError(400, { code }), "approving"));
    expect(e).toMatchObject({
      code: "CONNECTION_NOT_PENDING",
      message: `The connection is no longer Pending (${code}); it was left as it is.`,
    });
  });

  it("a not-Pending code on another status is not read as not-Pending", () => {
    expect(transient(armError(restError(409, { code: "StateChangeNotAllowed" }), "x")).code).toBe("ARM_UNAVAILABLE");
    expect(permanent(armError(restError(422, { code: "StateChangeNotAllowed" }), "x")).code).toBe("ARM_BAD_REQUEST");
  });

  it.each([400, 405, 412, 422, 499])(
    "%i (other client errors) is a bad request, with ARM's message cut short",
    (status) => {
      const e = permanent(armError(restError(status, { code: "InvalidThing", message: "m".repeat(500) }), "writing"));
      expect(e.code).toBe("ARM_BAD_REQUEST");
      expect(e.message).toBe(`ARM rejected writing (${status} InvalidThing): ${"m".repeat(300)}`);
    },
  );

  it("a client error without a message still reads well", () => {
    const e = permanent(armError({ statusCode: 400 }, "writing"));
    expect(e.message).toBe("ARM rejected writing (400 ): ");
  });

  it.each([
    [304, "ARM_UNAVAILABLE"],
    [399, "ARM_UNAVAILABLE"],
    [408, "ARM_UNAVAILABLE"],
    [409, "ARM_UNAVAILABLE"],
    [429, "ARM_THROTTLED"],
    [500, "ARM_UNAVAILABLE"],
    [503, "ARM_UNAVAILABLE"],
  ])("%i is transient (%s) and will be retried", (status, code) => {
    const e = transient(armError(restError(status), "reading x"));
    expect(e.code).toBe(code);
    expect(e.message).toBe(`ARM did not complete reading x (${status}); it will be retried.`);
    expect(e.retryAfterMs).toBeUndefined();
  });

  it("no answer at all is transient: a timeout by its name, else the network", () => {
    expect(transient(armError({ name: "AbortError" }, "x"))).toMatchObject({
      code: "ARM_TIMEOUT",
      message: "ARM did not complete x (AbortError); it will be retried.",
    });
    expect(transient(armError({ name: "RestError", code: "ECONNRESET" }, "x")).message).toBe(
      "ARM did not complete x (RestError); it will be retried.",
    );
    expect(transient(armError({}, "x"))).toMatchObject({
      code: "ARM_UNAVAILABLE",
      message: "ARM did not complete x (network); it will be retried.",
    });
    expect(transient(armError(undefined, "x")).code).toBe("ARM_UNAVAILABLE");
    expect(transient(armError(null, "x")).code).toBe("ARM_UNAVAILABLE");
  });

  it("keeps ARM's Retry-After, in seconds or as a date, for the retry", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-03-02T09:30:00Z"));
    expect(transient(armError(restError(429, { retryAfter: "17" }), "x")).retryAfterMs).toBe(17_000);
    expect(transient(armError(restError(503, { retryAfter: "0" }), "x")).retryAfterMs).toBe(0);
    expect(transient(armError(restError(503, { retryAfter: "Mon, 02 Mar 2026 09:30:30 GMT" }), "x")).retryAfterMs).toBe(
      30_000,
    );
    expect(transient(armError(restError(503, { retryAfter: "Mon, 02 Mar 2026 09:29:00 GMT" }), "x")).retryAfterMs).toBe(
      0,
    );
    expect(transient(armError(restError(503, { retryAfter: "soon" }), "x")).retryAfterMs).toBeUndefined();
    expect(transient(armError(restError(503, { retryAfter: "" }), "x")).retryAfterMs).toBeUndefined();
    expect(transient(armError({ statusCode: 503, response: {} }, "x")).retryAfterMs).toBeUndefined();
  });

  it("reads the status of anything", () => {
    expect(armStatusOf(restError(404))).toBe(404);
    expect(armStatusOf(undefined)).toBeUndefined();
    expect(armStatusOf({})).toBeUndefined();
  });
});

describe("Table storage error classification", () => {
  it.each([undefined, 408, 429, 500, 503])("%s is transient: storage did not answer", (status) => {
    const e = transient(tableError({ statusCode: status }, "writing the row"));
    expect(e.code).toBe("STORAGE_UNAVAILABLE");
    expect(e.message).toBe(
      `Table storage did not answer writing the row (${status ?? "network"}); it will be retried.`,
    );
  });

  it("names the network error's code when no status came back", () => {
    expect(transient(tableError({ code: "ECONNREFUSED" }, "x")).message).toBe(
      "Table storage did not answer x (ECONNREFUSED); it will be retried.",
    );
    expect(transient(tableError(undefined, "x")).message).toBe(
      "Table storage did not answer x (network); it will be retried.",
    );
  });

  it.each([
    [403, "AuthorizationPermissionMismatch"],
    [401, "InvalidAuthenticationInfo"],
  ])("%i (%s) is our identity's missing role: STORAGE_FORBIDDEN", (status, errorCode) => {
    const e = permanent(tableError({ statusCode: status, details: { errorCode } }, "reading tenants"));
    expect(e.code).toBe("STORAGE_FORBIDDEN");
    expect(e.message).toBe(
      `Table storage refused the app's identity for reading tenants (${status} ${errorCode}); grant it the Storage Table Data Contributor role on the account.`,
    );
    expect(permanent(tableError({ statusCode: status }, "x")).message).toContain(`(${status});`);
  });

  it.each([400, 404, 409, 412, 499])("%i is a permanent refusal, naming the service's error code", (status) => {
    const e = permanent(
      tableError({ statusCode: status, details: { errorCode: "EntityTooLarge" }, code: "Other" }, "x"),
    );
    expect(e.code).toBe("STORAGE_REJECTED");
    expect(e.message).toBe(
      `Table storage refused x (${status} EntityTooLarge); check the storage role assignment and the table names.`,
    );
  });

  it("falls back to the error's code, then to the status alone", () => {
    expect(permanent(tableError({ statusCode: 400, code: "InvalidInput" }, "x")).message).toContain(
      "(400 InvalidInput)",
    );
    expect(permanent(tableError({ statusCode: 400 }, "x")).message).toContain("(400);");
  });

  it("reads the status of anything", () => {
    expect(tableStatusOf({ statusCode: 412 })).toBe(412);
    expect(tableStatusOf(undefined)).toBeUndefined();
  });
});
