import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";
import { handleEventGridPayload } from "../src/app/intake-service";
import { getBookkeeping, getConfig } from "../src/composition-root";
import { logIntakeReport } from "./log-event";
import { durableClientInput, orchestrationClient } from "./shared";

/** Event Grid (system topic, resource notifications, the sandbox): start or collapse onto the right orchestration. */
export async function resourceEvents(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const config = getConfig();
  const report = await handleEventGridPayload(event, {
    client: orchestrationClient(context),
    managedScopes: config.managedResourceIds,
    selfPrincipalIds: config.selfPrincipalIds,
    hasRecordedConnections: async (privateEndpointId) =>
      (await (await getBookkeeping()).listConnections({ privateEndpointId, limit: 1 })).length > 0,
    // The structured entries below say the same; the sentences stay for a person reading the debug stream.
    log: (m) => context.debug(m),
  });
  logIntakeReport(context, event.id, report);
}

app.eventGrid("resource-events", { extraInputs: [durableClientInput], handler: resourceEvents });
