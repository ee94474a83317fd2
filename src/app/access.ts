/**
 * Who may call what. People sign in with Entra ID through App Service authentication and carry app roles (Reader,
 * Approver, Admin); their routes are `authLevel: "anonymous"` for the Functions host and checked here. Automation
 * that cannot sign in keeps the function-key routes (reviews, connections), which never take a principal.
 */
import { apiError, type ApiResponse } from "./http-api";
import { hasRole, readPrincipal, type AppRole, type HeaderReader, type Principal } from "./principal";

export type Access = { ok: true; principal: Principal } | { ok: false; response: ApiResponse };

/** The caller when signed in with `role` (or a role that includes it); otherwise a coded 401 or 403. */
export function authorise(headers: HeaderReader, role: AppRole): Access {
  const principal = readPrincipal(headers);
  if (!principal) {
    return {
      ok: false,
      response: apiError(
        401,
        "SIGN_IN_REQUIRED",
        "Sign in with Microsoft Entra ID (browser: /.auth/login/aad; scripts: send an Entra access token for this app as a bearer token).",
      ),
    };
  }
  if (!hasRole(principal, role)) {
    const held = principal.roles.length > 0 ? principal.roles.join(", ") : "no app role";
    return {
      ok: false,
      response: apiError(
        403,
        "ROLE_REQUIRED",
        `This needs the ${role} app role and you have ${held}; ask an admin to assign it on the app's enterprise application.`,
      ),
    };
  }
  return { ok: true, principal };
}

/** Runs `work` for a caller holding `role`; anyone else gets the coded refusal and nothing runs. */
export async function asRole(
  headers: HeaderReader,
  role: AppRole,
  work: (principal: Principal) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const access = authorise(headers, role);
  return access.ok ? work(access.principal) : access.response;
}
