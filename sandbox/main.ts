import { startSandbox } from "./index";

/** `node dist/sandbox/main.js [--port 8443] [--identity-port N] [--webhook URL] [--seed FILE] [--data-dir DIR]` */
function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const portText = argValue(args, "--port") ?? process.env.SANDBOX_PORT ?? "8443";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a whole number from 0 to 65535, not "${portText}".\n`);
    process.exitCode = 2;
    return;
  }
  const sandbox = await startSandbox({
    port,
    identityPort: Number(argValue(args, "--identity-port") ?? 0),
    eventWebhookUrl: argValue(args, "--webhook"),
    seedFile: argValue(args, "--seed"),
    dataDir: argValue(args, "--data-dir"),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `${JSON.stringify(
      {
        url: sandbox.url,
        caFile: sandbox.caFile,
        identityEndpoint: sandbox.identityEndpoint,
        identityHeader: sandbox.identityHeader,
        acsConnectionString: sandbox.acsConnectionString,
        acsEndpoint: sandbox.acsEndpoint,
        teamsWebhookUrl: sandbox.teamsWebhookUrl,
        control: `${sandbox.url}/_sandbox/estate`,
        inbox: `${sandbox.url}/_sandbox/inbox.html`,
      },
      null,
      2,
    )}\n`,
  );
  const shutdown = (): void => void sandbox.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
