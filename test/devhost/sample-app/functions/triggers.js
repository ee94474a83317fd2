"use strict";
const { app } = require("@azure/functions");
const { observed } = require("./state");

app.timer("tick", {
  schedule: "%TICK_SCHEDULE%",
  runOnStartup: false,
  handler: async (timer) => {
    observed.timer.push({ isPastDue: timer.isPastDue, next: timer.scheduleStatus.next });
  },
});

app.eventGrid("onEvent", {
  handler: async (event) => {
    if (event.subject === "fail") throw new Error("event handler failure");
    observed.events.push({ id: event.id, type: event.eventType ?? event.type, subject: event.subject });
  },
});

app.hook.appStart(() => {
  observed.hooks.appStart++;
});
app.hook.preInvocation(() => {
  observed.hooks.pre++;
});
app.hook.postInvocation((context) => {
  observed.hooks.post++;
  if (context.invocationContext.functionName === "hooked") {
    context.result = { jsonBody: { from: "postInvocation hook" } };
  }
});
