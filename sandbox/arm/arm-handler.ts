import type { SandboxRequest } from "../http/http-types";
import type { IssuedToken } from "../identity/token-store";
import type { ArmContext } from "./arm-context";
import type { ArmPath } from "./arm-path";

export interface ArmCall {
  ctx: ArmContext;
  req: SandboxRequest;
  path: ArmPath;
  apiVersion: string;
  token: IssuedToken;
}
