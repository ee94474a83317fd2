import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { asRole } from "../src/app/access";
import { readJsonObject } from "../src/app/operator-http";
import {
  evaluateRoute,
  EVALUATE_HINT,
  POLICY_BODY_BYTES,
  whatIfRoute,
  WHAT_IF_HINT,
  type PolicyApiDeps,
} from "../src/app/policy-api";
import { getBookkeeping, getConfig, getGateway, getPolicySource } from "../src/composition-root";
import type { AppRole } from "../src/app/principal";
import type { ApiResponse } from "../src/app/http-api";
import { answer } from "./shared";

async function deps(): Promise<PolicyApiDeps> {
  return {
    gateway: await getGateway(),
    bookkeeping: await getBookkeeping(),
    policy: getPolicySource(),
    managedScopes: getConfig().managedResourceIds,
    now: () => new Date().toISOString(),
  };
}

/** A signed-in caller with `role`, a JSON object body, then `route`; a person's route (anonymous for the host). */
function policyRoute(
  role: AppRole,
  hint: string,
  route: (body: Record<string, unknown>, deps: PolicyApiDeps) => Promise<ApiResponse>,
) {
  return (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> =>
    answer(context, () =>
      asRole(request.headers, role, async () => {
        const body = await readJsonObject(request, POLICY_BODY_BYTES, hint);
        return body.ok ? route(body.value, await deps()) : body.response;
      }),
    );
}

/** POST /api/policy/evaluate (Reader): a dry run, with the rule trace. */
export const postEvaluate = policyRoute("Reader", EVALUATE_HINT, evaluateRoute);
/** POST /api/policy/what-if (Admin): what a proposed policy would change over the recorded connections. */
export const postWhatIf = policyRoute("Admin", WHAT_IF_HINT, whatIfRoute);

app.http("policy-evaluate", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "policy/evaluate",
  handler: postEvaluate,
});
app.http("policy-what-if", { methods: ["POST"], authLevel: "anonymous", route: "policy/what-if", handler: postWhatIf });
