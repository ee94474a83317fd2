/** Signs in through the devhost's App Service authentication stand-in; returns the Cookie header value to send. */
export async function signIn(devhostUrl: string, identity: { name: string; roles: string[] }): Promise<string> {
  const res = await fetch(`${devhostUrl}/.auth/login/local`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(identity),
  });
  const cookie = res.headers.get("set-cookie");
  if (res.status !== 200 || !cookie) throw new Error(`local sign-in refused: ${res.status} ${await res.text()}`);
  return cookie.split(";")[0]!;
}
