import { existsSync } from "node:fs";
import { isAbsolute, normalize } from "node:path";
import { durationToMs } from "./domain/policy/duration";
import type { SweepListing } from "./ports/bookkeeping.port";
import { APPROVAL_CHANNELS, type ApprovalChannel } from "./domain/tenant";

/**
 * The app settings, described once: what each means, how it is parsed and checked, its default, its sample value
 * and whether the Bicep sets it in Azure. loadConfig validates with it; local.settings.sample.json, the README's
 * settings table and the infra test are derived from it (`npm run settings:write` rewrites the first two).
 */
export interface Setting<T> {
  /** One line for the README table. */
  meaning: string;
  /** The value local.settings.sample.json carries. */
  sample: string;
  /** Used when the setting is unset or empty. */
  default?: string;
  /** When set, a missing value is a problem; the text says what to set it to. */
  required?: string;
  /** Set by infra/app/function-app.bicep, or why it deliberately is not. */
  inAzure: true | { notSet: string };
  /** The value, or undefined when unset (no default); bad values are reported through the check. */
  parse: (value: string | undefined, check: SettingCheck) => T;
}

/** What a parser gets besides the value: its own name, the raw settings, and where to report a problem. */
export interface SettingCheck {
  name: string;
  problem: (message: string) => void;
  /** Another setting's value as given (trimmed; undefined when unset). */
  raw: (name: SettingName) => string | undefined;
  appRoot?: string;
}

export type TablesSetting = { kind: "connection-string"; connectionString: string } | { kind: "endpoint"; url: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPE_ID =
  /^\/subscriptions\/[0-9a-f-]{36}(\/resourcegroups\/[^/]+(\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*)?)?$/i;
const RESOURCE_GROUP_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+$/i;
const NCRONTAB = /^(\S+\s+){5}\S+$/;
const DNS_ZONE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** An ISO 8601 duration longer than zero (e.g. P30D); undefined when unset. */
function positiveDuration(value: string | undefined, check: SettingCheck): string | undefined {
  if (value === undefined) return undefined;
  let ms = Number.NaN;
  try {
    ms = durationToMs(value);
  } catch {
    /* reported below */
  }
  if (!(ms > 0)) check.problem(`${check.name} must be an ISO 8601 duration longer than zero, e.g. P30D, or empty.`);
  return value;
}

/** The value as given; undefined when unset. */
const text = (value: string | undefined): string | undefined => value;

/** The value when it matches; otherwise the problem `${name} ${why}`. */
function matching(pattern: RegExp, why: string) {
  return (value: string | undefined, check: SettingCheck): string | undefined => {
    if (value !== undefined && !pattern.test(value)) check.problem(`${check.name} ${why}`);
    return value;
  };
}

/** An absolute URL without trailing slashes; http only for loopback. */
function url(value: string | undefined, check: SettingCheck): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    const local = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
    if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && local)) {
      check.problem(
        `${check.name} must be an https URL (http only for 127.0.0.1/localhost); got "${parsed.protocol}".`,
      );
    }
    return value.replace(/\/+$/, "");
  } catch {
    check.problem(`${check.name} is not a URL: give an absolute https://... address.`);
    return undefined;
  }
}

/** Comma-, semicolon- or newline-separated entries, each checked by `item` (a problem text, or undefined). */
function list(item: (entry: string, name: string) => string | undefined = () => undefined) {
  return (value: string | undefined, check: SettingCheck): string[] => {
    const entries = (value ?? "")
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
    for (const entry of entries) {
      const problem = item(entry, check.name);
      if (problem) check.problem(problem);
    }
    return entries;
  };
}

function tables(value: string | undefined, check: SettingCheck): TablesSetting {
  const raw = value ?? "";
  let result: TablesSetting = { kind: "connection-string", connectionString: raw };
  if (/^https?:\/\//i.test(raw)) {
    result = { kind: "endpoint", url: url(raw, check) ?? raw };
  } else if (raw !== "" && !/^UseDevelopmentStorage=true$/i.test(raw) && !/(TableEndpoint|AccountName)=/i.test(raw)) {
    check.problem(
      `${check.name} is neither a table endpoint URL nor a storage connection string (TableEndpoint=... or AccountName=...).`,
    );
  }
  if (/AccountKey=|SharedAccessSignature=/i.test(raw) && !/devstoreaccount1/i.test(raw)) {
    check.problem(
      `${check.name} carries a key: use the https endpoint URL with the managed identity instead of a secret.`,
    );
  }
  return result;
}

function armEndpoint(value: string | undefined, check: SettingCheck): string {
  const endpoint = url(value, check) ?? "";
  if (endpoint.startsWith("http:")) {
    check.problem(`${check.name} must use https (the SDK refuses to send tokens over http).`);
  }
  return endpoint;
}

function existingFile(value: string | undefined, check: SettingCheck): string | undefined {
  if (value !== undefined && !existsSync(value)) {
    check.problem(`${check.name} names a file that does not exist (${value}); clear it outside local runs.`);
  }
  return value;
}

/** `file:<path>` inside the app package; answers the normalised relative path ("" when unusable). */
function policySource(value: string | undefined, check: SettingCheck): { kind: "file"; path: string } {
  const source = { kind: "file" as const, path: "" };
  if (value === undefined) return source;
  if (!value.startsWith("file:")) {
    check.problem(`${check.name} "${value}" is not supported: use file:<path relative to the app root>.`);
    return source;
  }
  const path = normalize(value.slice("file:".length));
  if (path === "." || isAbsolute(path) || path.startsWith("..")) {
    check.problem(`${check.name} must name a file inside the app (relative path, no ..).`);
  } else if (check.appRoot !== undefined && !existsSync(`${check.appRoot}/${path}`)) {
    check.problem(`${check.name} names ${path}, which is not in the app package.`);
  }
  return { ...source, path };
}

/** A link-signing key: long enough to be a real key (never echoed: it is a secret). */
function signingKey(value: string | undefined, check: SettingCheck): string | undefined {
  if (value !== undefined && value.length < 32) {
    check.problem(`${check.name} is too short: use at least 32 random bytes, base64-encoded, from Key Vault.`);
  }
  return value;
}

function channels(value: string | undefined, check: SettingCheck): ApprovalChannel[] {
  const listed = list()(value, check).map((c) => c.toLowerCase());
  if (!listed.every((c) => APPROVAL_CHANNELS.includes(c as ApprovalChannel))) {
    check.problem(`${check.name} must list ${APPROVAL_CHANNELS.join(" and/or ")} (comma-separated).`);
  }
  return listed.length > 0 ? (listed as ApprovalChannel[]) : [...APPROVAL_CHANNELS];
}

function milliseconds(value: string | undefined, check: SettingCheck): number {
  const raw = value ?? "";
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || ms < 100 || ms > 120_000) {
    check.problem(`${check.name} must be a whole number of milliseconds between 100 and 120000.`);
  }
  return ms;
}

/** How the sweeps list connections: per resource (small estates) or Azure Resource Graph pages (large ones). */
function sweepListing(value: string | undefined, check: SettingCheck): SweepListing {
  if (value === "per-resource" || value === "resource-graph") return value;
  check.problem(
    `${check.name} must be per-resource (one ARM listing per resource; small estates) or resource-graph (Azure Resource Graph pages; large estates, needs Reader on the scopes).`,
  );
  return "per-resource";
}

const schedule = (example: string) => matching(NCRONTAB, `must be a six-field NCRONTAB expression, e.g. ${example}.`);

/** Typed by its parser: `setting({...})` keeps each setting's value type for loadConfig. */
const setting = <T>(spec: Setting<T>): Setting<T> => spec;

/** Every setting the app reads, in the order problems are reported. */
export const SETTINGS = {
  DURABLE_TASK_HUB: setting({
    meaning: "the Durable Functions task hub",
    sample: "plautopilot",
    default: "plautopilot",
    inAzure: true,
    parse: matching(
      /^[a-z][a-z0-9]{2,44}$/i,
      "must be 3-45 letters or digits starting with a letter (a task hub name).",
    ),
  }),
  TABLES_ENDPOINT: setting({
    meaning:
      "the bookkeeping tables: an `https://<account>.table.core.windows.net` endpoint (managed identity) or, locally, a connection string",
    sample: "UseDevelopmentStorage=true",
    required: "UseDevelopmentStorage=true, an Azurite connection string, or https://<account>.table.core.windows.net",
    inAzure: true,
    parse: tables,
  }),
  TABLE_PREFIX: setting({
    meaning: "the prefix of the bookkeeping tables' names",
    sample: "pla",
    default: "pla",
    inAzure: true,
    parse: matching(/^[a-z][a-z0-9]{0,19}$/i, "must be 1-20 letters or digits starting with a letter."),
  }),
  ARM_ENDPOINT: setting({
    meaning: "Azure Resource Manager",
    sample: "https://management.azure.com",
    default: "https://management.azure.com",
    inAzure: true,
    parse: armEndpoint,
  }),
  ARM_CA_FILE: setting({
    meaning: "a CA certificate file trusted for ARM: only for the local sandbox",
    sample: "",
    inAzure: {
      notSet: "Local only: trusts the sandbox's self-signed certificate. In Azure, ARM has a public certificate.",
    },
    parse: existingFile,
  }),
  AZURE_CLIENT_ID: setting({
    meaning: "the client id of the user-assigned managed identity",
    sample: "00000000-0000-0000-0000-000000000000",
    inAzure: true,
    parse: matching(GUID, "must be the client id (a GUID) of the user-assigned managed identity."),
  }),
  SELF_PRINCIPAL_IDS: setting({
    meaning: "the principal ids whose writes are our own echo (the managed identity is always one)",
    sample: "",
    inAzure: true,
    parse: list((id, name) =>
      GUID.test(id) ? undefined : `${name} has "${id}", which is not a GUID (object or app id).`,
    ),
  }),
  MANAGED_RESOURCE_IDS: setting({
    meaning: "the provider resources (or their resource groups / subscriptions) we manage, comma-separated ARM ids",
    sample: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg",
    required: "the provider resources, resource groups or subscriptions we manage (comma-separated ARM ids)",
    inAzure: true,
    parse: list((id, name) =>
      SCOPE_ID.test(id)
        ? undefined
        : `${name} has "${id}", which is not a subscription, resource group or resource id.`,
    ),
  }),
  DNS_ZONES_RESOURCE_GROUP_ID: setting({
    meaning: "the resource group of the central private DNS zones",
    sample: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
    required: "the resource group id that holds the central private DNS zones",
    inAzure: true,
    parse: matching(RESOURCE_GROUP_ID, "must look like /subscriptions/<guid>/resourceGroups/<name>."),
  }),
  PLS_DNS_ZONE: setting({
    meaning: "the zone for Private Link Service connections' records (none: no records for them)",
    sample: "privatelink.services.contoso.example",
    inAzure: true,
    parse: matching(DNS_ZONE, "must be a DNS zone name such as privatelink.example.com."),
  }),
  PLS_DNS_NAME_TEMPLATE: setting({
    meaning: "the record-name template for Private Link Service connections",
    sample: "{tenant}.{service}",
    default: "{tenant}.{service}",
    inAzure: true,
    parse: matching(/^(?=.*\{)[a-z0-9.{}_-]+$/i, "must be a record name with {placeholders}, e.g. {tenant}.{service}."),
  }),
  POLICY_SOURCE: setting({
    meaning: "the policy: `file:<path relative to the app root>`",
    sample: "file:policy/default-policy.yaml",
    required: "file:<path relative to the app root>, e.g. file:policy/default-policy.yaml",
    inAzure: true,
    parse: policySource,
  }),
  APPROVAL_BASE_URL: setting({
    meaning: "where the approval page lives (default: the app's own host name)",
    sample: "https://plautopilot.example.net/api/approvals",
    inAzure: true,
    parse: url,
  }),
  APPROVAL_SIGNING_KEY: setting({
    meaning: "the approval-link signing key (a Key Vault reference)",
    sample: "",
    inAzure: true,
    parse: signingKey,
  }),
  APPROVAL_SIGNING_KEY_PREVIOUS: setting({
    meaning: "during a key rotation, the signing key before it: links it signed stay valid until they expire",
    sample: "",
    inAzure: true,
    parse: (value, check) => {
      const key = signingKey(value, check);
      if (key !== undefined && check.raw("APPROVAL_SIGNING_KEY") === undefined) {
        check.problem(`${check.name} is set without APPROVAL_SIGNING_KEY: set the new key too.`);
      }
      return key;
    },
  }),
  APPROVAL_CHANNELS: setting({
    meaning: "`teams,email` (default), or one of them; a tenant record's `approvalChannels` wins",
    sample: "teams,email",
    inAzure: true,
    parse: channels,
  }),
  APPROVAL_SIGN_IN_PATH: setting({
    meaning: "App Service authentication's sign-in path",
    sample: "/.auth/login/aad",
    default: "/.auth/login/aad",
    inAzure: true,
    parse: matching(
      /^\/\.auth\/login\/[a-z0-9-]+$/i,
      "must be an App Service authentication sign-in path, e.g. /.auth/login/aad.",
    ),
  }),
  APPROVERS: setting({
    meaning: "who is asked when neither the rule nor the tenant record names approvers",
    sample: "netops@contoso.example",
    inAzure: true,
    parse: list(),
  }),
  TEAMS_WEBHOOK_URL: setting({
    meaning: "the Teams Workflows webhook approval cards are posted to",
    sample: "",
    inAzure: true,
    parse: url,
  }),
  ACS_EMAIL_ENDPOINT: setting({
    meaning: "the Azure Communication Services endpoint for approval email (managed identity)",
    sample: "",
    inAzure: true,
    parse: url,
  }),
  ACS_EMAIL_SENDER: setting({
    meaning: "a verified sender address of the ACS email service",
    sample: "DoNotReply@contoso.example",
    inAzure: true,
    parse: text,
  }),
  SWEEP_SCHEDULE: setting({
    meaning: "NCRONTAB schedule of the sweep",
    sample: "0 */5 * * * *",
    default: "0 */5 * * * *",
    inAzure: true,
    parse: schedule("0 */5 * * * *"),
  }),
  CLEANUP_SCHEDULE: setting({
    meaning: "NCRONTAB schedule of the clean-up",
    sample: "0 30 2 * * *",
    default: "0 30 2 * * *",
    inAzure: true,
    parse: schedule("0 30 2 * * *"),
  }),
  SWEEP_LISTING: setting({
    meaning:
      "how the sweeps list connections: `per-resource` (one ARM listing per resource; small estates) or `resource-graph` (Azure Resource Graph; large estates)",
    sample: "per-resource",
    default: "per-resource",
    inAzure: true,
    parse: sweepListing,
  }),
  TENANTS_IMPORT_FILE: setting({
    meaning: "a JSON array of tenants imported (idempotently) at start; the demo estate uses it",
    sample: "",
    inAzure: true,
    parse: text,
  }),
  TOKEN_TIMEOUT_MS: setting({
    meaning: "the bound on token acquisition, in milliseconds",
    sample: "10000",
    default: "10000",
    inAzure: true,
    parse: milliseconds,
  }),
  RETENTION_PERIOD: setting({
    meaning:
      "how long Rejected and Disconnected connections stay before they are deleted on the provider side; empty (the default) keeps them",
    sample: "",
    inAzure: true,
    parse: positiveDuration,
  }),
};

export type SettingName = keyof typeof SETTINGS;

/** The settings the app reads. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** Read by the Functions host itself, not by this code: their sample values and why the Bicep does not set them. */
export const HOST_SETTINGS: Record<string, { sample: string; notSetInAzure: string }> = {
  FUNCTIONS_WORKER_RUNTIME: {
    sample: "node",
    notSetInAzure: "Flex Consumption takes the runtime from functionAppConfig.runtime and rejects this setting.",
  },
  AzureWebJobsStorage: {
    sample: "UseDevelopmentStorage=true",
    notSetInAzure:
      "Replaced by the identity-based AzureWebJobsStorage__accountName / __credential / __clientId (no connection string).",
  },
};

export const HOST_SETTING_NAMES = Object.keys(HOST_SETTINGS);

/** local.settings.sample.json, as the description says it is. */
export function localSettingsSample(): { IsEncrypted: false; Values: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const [name, { sample }] of Object.entries(HOST_SETTINGS)) values[name] = sample;
  for (const name of SETTING_NAMES) values[name] = SETTINGS[name].sample;
  return { IsEncrypted: false, Values: values };
}

/** The README's settings table (Markdown), one row per setting. */
export function settingsTable(): string {
  const rows = SETTING_NAMES.map((name) => {
    const spec: Setting<unknown> = SETTINGS[name];
    const when = spec.required ? "required" : spec.default ? `\`${spec.default}\`` : "";
    return `| \`${name}\` | ${spec.meaning} | ${when} |`;
  });
  return ["| setting | meaning | default |", "| --- | --- | --- |", ...rows].join("\n");
}
