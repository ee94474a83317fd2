import type { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { answer } from "../../../functions/shared";
import { apiError } from "../../../src/app/http-api";
import { ConfigError } from "../../../src/config";
import { DomainError } from "../../../src/domain/errors";
import { toPortError as armError } from "../../../src/adapters/arm/arm-errors";
import { toPortError as tableError } from "../../../src/adapters/tables/table-errors";
import { PermanentError, TransientError } from "../../../src/ports/errors";

function recordingContext() {
  const lines: { level: string; entry: Record<string, unknown> }[] = [];
  const at = (level: string) => (line: unknown) =>
    void lines.push({ level, entry: JSON.parse(String(line)) as Record<string, unknown> });
  const context = {
    invocationId: "inv-9",
    functionName: "reviews",
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  } as unknown as InvocationContext;
  return { context, lines };
}

async function failWith(error: Error) {
  const { context, lines } = recordingContext();
  const response = await answer(context, () => Promise.reject(error));
  const body = response.jsonBody as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message, lines };
}

describe("HTTP answers: the caller's mistakes are 4xx, our own faults 5xx", () => {
  it.each([
    [
      "ARM refused the app (403)",
      armError({ statusCode: 403, code: "AuthorizationFailed" }, "reading x"),
      "ARM_FORBIDDEN",
    ],
    ["ARM refused the token (401)", armError({ statusCode: 401 }, "reading x"), "ARM_UNAUTHORIZED"],
    [
      "storage refused the app (403)",
      tableError({ statusCode: 403, code: "AuthorizationFailure" }, "x"),
      "STORAGE_FORBIDDEN",
    ],
    ["storage refused the token (401)", tableError({ statusCode: 401 }, "x"), "STORAGE_FORBIDDEN"],
  ])("%s → 502 with its code and a sentence for the operator, logged as an error", async (_, error, code) => {
    const r = await failWith(error);
    expect(r).toMatchObject({ status: 502, code });
    expect(r.message).toMatch(/nothing is wrong with your request.*operator must grant/);
    expect(r.lines[0]).toMatchObject({ level: "error", entry: { event: "http-failure", code } });
  });

  it.each([
    ["an input the domain refuses", new DomainError("ID_INVALID", "Give an ARM id."), 400, "ID_INVALID"],
    ["a connection ARM does not have", armError({ statusCode: 404 }, "reading x"), 400, "ARM_NOT_FOUND"],
    ["a request ARM calls bad", armError({ statusCode: 400, code: "InvalidId" }, "reading x"), 400, "ARM_BAD_REQUEST"],
    ["a busy dependency", new TransientError("ARM_THROTTLED", "429"), 503, "ARM_THROTTLED"],
    ["bad settings", new ConfigError(["TABLES_ENDPOINT is missing"]), 503, "CONFIG_INVALID"],
    ["a bug", new Error("undefined is not a function"), 500, "INTERNAL"],
  ])("%s → %i %s", async (_, error, status, code) => {
    expect(await failWith(error)).toMatchObject({ status, code });
  });

  it("a storage refusal that is not about identity stays 4xx", async () => {
    expect(await failWith(tableError({ statusCode: 400, code: "InvalidInput" }, "x"))).toMatchObject({
      status: 400,
      code: "STORAGE_REJECTED",
    });
    expect(await failWith(new PermanentError("CONNECTION_NOT_PENDING", "gone"))).toMatchObject({ status: 400 });
  });

  it("logs every answer with its status, code and the instance it started", async () => {
    const { context, lines } = recordingContext();
    await answer(context, () =>
      Promise.resolve({ status: 202, jsonBody: { instanceId: "review-1", outcome: "started", connectionKey: "k" } }),
    );
    await answer(context, () => Promise.resolve(apiError(400, "TARGET_REQUIRED", "Give one.")));
    expect(lines.map((l) => l.entry)).toEqual([
      {
        event: "http",
        invocationId: "inv-9",
        function: "reviews",
        status: 202,
        instanceId: "review-1",
        connectionKey: "k",
        outcome: "started",
      },
      { event: "http", invocationId: "inv-9", function: "reviews", status: 400, code: "TARGET_REQUIRED" },
    ]);
  });
});
