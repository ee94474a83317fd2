import { randomUUID } from "node:crypto";

/** Who performed a write, as ARM puts it in `data.claims`. */
export interface Caller {
  objectId: string;
  appId: string;
  tenantId: string;
  name: string;
}

export interface ResourceEventInput {
  kind: "write" | "delete";
  subscriptionId: string;
  tenantId: string;
  resourceId: string;
  /** e.g. "Microsoft.Network/privateEndpoints/write". */
  operationName: string;
  caller: Caller;
  now: Date;
}

/** A subscription system-topic event, shaped like the real payloads (dataVersion "2", metadataVersion "1"). */
export function resourceEvent(input: ResourceEventInput): Record<string, unknown> {
  const provider = input.operationName.split("/")[0] ?? "";
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    id: randomUUID(),
    topic: `/subscriptions/${input.subscriptionId}`,
    subject: input.resourceId,
    eventType:
      input.kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
    eventTime: input.now.toISOString(),
    data: {
      authorization: {
        scope: input.resourceId,
        action: input.operationName,
        evidence: { role: "Contributor" },
      },
      claims: {
        aud: "https://management.core.windows.net/",
        iss: `https://sts.windows.net/${input.caller.tenantId}/`,
        iat: String(iat),
        nbf: String(iat),
        exp: String(iat + 3600),
        appid: input.caller.appId,
        appidacr: "2",
        name: input.caller.name,
        "http://schemas.microsoft.com/identity/claims/objectidentifier": input.caller.objectId,
        "http://schemas.microsoft.com/identity/claims/tenantid": input.caller.tenantId,
        ver: "1.0",
      },
      correlationId: randomUUID(),
      httpRequest: {
        clientRequestId: randomUUID(),
        clientIpAddress: "127.0.0.1",
        method: input.kind === "write" ? "PUT" : "DELETE",
        url: `https://management.azure.com${input.resourceId}`,
      },
      resourceProvider: provider,
      resourceUri: input.resourceId,
      operationName: input.operationName,
      status: "Succeeded",
      subscriptionId: input.subscriptionId,
      tenantId: input.tenantId,
    },
    dataVersion: "2",
    metadataVersion: "1",
  };
}
