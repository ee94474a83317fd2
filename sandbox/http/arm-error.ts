import type { SandboxResponse } from "./http-types";

/** An ARM-shaped failure: `{ "error": { "code", "message" } }` with the status ARM would use. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra detail entries some services add (Resource Graph's parser failures). */
    readonly details?: Record<string, unknown>[],
  ) {
    super(message);
    this.name = "ArmError";
  }
}

export function errorResponse(err: ArmError): SandboxResponse {
  const details = err.details ? { details: err.details } : {};
  return {
    status: err.status,
    headers: err.headers,
    json: { error: { code: err.code, message: err.message, ...details } },
  };
}

export const badRequest = (code: string, message: string): ArmError => new ArmError(400, code, message);

export function notFound(type: string, name: string, resourceGroup?: string): ArmError {
  const where = resourceGroup ? ` under resource group '${resourceGroup}'` : "";
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}'${where} was not found. Create it first or check the id.`,
  );
}

export const methodNotAllowed = (method: string): ArmError =>
  new ArmError(405, "MethodNotAllowed", `The HTTP method ${method} is not supported on this resource.`);

/** Most ARM resources the sandbox serves are read-only: anything but GET is a 405. */
export function requireGet(method: string): void {
  if (method !== "GET") throw methodNotAllowed(method);
}

export const unservedType = (type: string): ArmError =>
  new ArmError(404, "InvalidResourceType", `The resource type '${type}' is not served by the sandbox.`);
