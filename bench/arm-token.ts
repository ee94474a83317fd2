import type { LocalStack } from "../scripts/local-stack";

/** A managed-identity token for ARM from the sandbox, as the app gets one: the benches call ARM directly with it. */
export async function armToken(stack: LocalStack): Promise<string> {
  const url = new URL(stack.sandbox.identityEndpoint);
  url.searchParams.set("resource", "https://management.azure.com/");
  url.searchParams.set("api-version", "2019-08-01");
  const res = await fetch(url, { headers: { "X-IDENTITY-HEADER": stack.sandbox.identityHeader } });
  return ((await res.json()) as { access_token: string }).access_token;
}
