import { readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { DomainError } from "../../domain/errors";

/** Where the running local stack is: `npm start` writes it to .local/runtime.json. */
export interface LocalRuntime {
  apiUrl: string;
  devhostUrl: string;
  /** The function key (HTTP API). */
  localKey: string;
  /** The master key (the host's admin API, which fires timers). */
  masterKey: string;
  sandboxUrl: string;
  sandboxCaFile: string;
}

export function readLocalRuntime(
  file = path.resolve(__dirname, "..", "..", "..", "..", ".local", "runtime.json"),
): LocalRuntime {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LocalRuntime;
  } catch {
    throw new DomainError(
      "NOT_RUNNING",
      "No running local stack found (.local/runtime.json); start it with `npm start` in another terminal first.",
    );
  }
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** Talks to the app (plain http on loopback) and to the sandbox (https with its own CA). */
export class DemoClient {
  private readonly ca: string;

  constructor(readonly runtime: LocalRuntime) {
    this.ca = readFileSync(runtime.sandboxCaFile, "utf8");
  }

  async app(method: string, route: string, body?: unknown): Promise<HttpAnswer> {
    const response = await fetch(`${this.runtime.apiUrl}${route}`, {
      method,
      headers: { "content-type": "application/json", "x-functions-key": this.runtime.localKey },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson(text) };
  }

  /** Fires a timer trigger now through the host's admin API (master key, as on the real host). */
  async fireTimer(name: string): Promise<number> {
    const response = await fetch(`${this.runtime.devhostUrl}/admin/functions/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-functions-key": this.runtime.masterKey },
      body: JSON.stringify({ input: "" }),
    });
    await response.text();
    return response.status;
  }

  /**
   * What a person does, over plain HTTP: sign in (the devhost's stand-in for App Service authentication), open the
   * approval link, and submit the page's own form as the browser would. Returns the page's answer status.
   */
  async approveOnPage(link: string, approver: string, reason: string): Promise<number> {
    const signIn = await fetch(`${this.runtime.devhostUrl}/.auth/login/local`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: approver, roles: ["Approver"] }),
    });
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    // A link can arrive a moment before the review has finished asking; a person would reload, so does the demo.
    let form = "";
    for (let attempt = 0; attempt < 40 && !form; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
      const page = await (await fetch(link, { headers: { cookie } })).text();
      form = /name="form" value="([^"]+)"/.exec(page)?.[1] ?? "";
    }
    const answer = await fetch(link, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ decision: "approve", reason, form }).toString(),
    });
    return answer.status;
  }

  sandbox(method: string, route: string, body?: unknown): Promise<HttpAnswer> {
    const url = new URL(route, this.runtime.sandboxUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        { method, ca: this.ca, headers: payload ? { "content-type": "application/json" } : {} },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: parseJson(text) }));
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}
