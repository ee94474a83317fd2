import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  dataVersion: string;
  data: { operationName: string; subscriptionId: string; claims: Record<string, string> };
}

export interface ReceivedBatch {
  headers: Record<string, string | string[] | undefined>;
  events: ReceivedEvent[];
}

/** A small local webhook standing in for the devhost's Event Grid endpoint; answers from a scripted status list. */
export async function startEventReceiver(statuses: (number | "hang")[] = []): Promise<{
  url: string;
  batches: ReceivedBatch[];
  attempts: number;
  close(): Promise<void>;
}> {
  const batches: ReceivedBatch[] = [];
  const state = { attempts: 0 };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const planned = statuses[state.attempts] ?? 200;
      state.attempts += 1;
      if (planned === "hang") return;
      if (planned >= 200 && planned < 300) batches.push({ headers: req.headers, events: JSON.parse(body) });
      res.writeHead(planned).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/runtime/webhooks/eventgrid?functionName=resource-events&code=test`,
    batches,
    get attempts() {
      return state.attempts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
