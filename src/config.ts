import { existsSync } from "node:fs";
import { isAbsolute, normalize } from "node:path";
import { DomainError } from "./domain/errors";
import { APPROVAL_CHANNELS, type ApprovalChannel } from "./domain/tenant";
import type { SweepListing } from "./ports/bookkeeping.port";

/** The settings the app reads (infra compares this with the Bicep; local.settings.sample.json lists them). */
export const SETTING_NAMES = [
  "DURABLE_TASK_HUB",
  "TABLES_ENDPOINT",
  "TABLE_PREFIX",
  "ARM_ENDPOINT",
  "ARM_CA_FILE",
  "AZURE_CLIENT_ID",
  "SELF_PRINCIPAL_IDS",
  "MANAGED_RESOURCE_IDS",
  "DNS_ZONES_RESOURCE_GROUP_ID",
  "PLS_DNS_ZONE",
  "PLS_DNS_NAME_TEMPLATE",
  "POLICY_SOURCE",
  "APPROVAL_BASE_URL",
  "APPROVAL_SIGNING_KEY",
  "APPROVAL_SIGNING_KEY_PREVIOUS",
  "APPROVAL_CHANNELS",
  "APPROVAL_SIGN_IN_PATH",
  "APPROVERS",
  "TEAMS_WEBHOOK_URL",
  "ACS_EMAIL_ENDPOINT",
  "ACS_EMAIL_SENDER",
  "SWEEP_SCHEDULE",
  "CLEANUP_SCHEDULE",
  "SWEEP_LISTING",
  "TENANTS_IMPORT_FILE",
  "TOKEN_TIMEOUT_MS",
] as const;

/** Read by the Functions host itself, not by this code; the sample file carries them too. */
export const HOST_SETTING_NAMES = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

export type TablesSetting = { kind: "connection-string"; connectionString: string } | { kind: "endpoint"; url: string };

export interface AppConfig {
  durableTaskHub: string;
  tables: TablesSetting;
  tablePrefix: string;
  arm: { endpoint: string; caFile?: string };
  azureClientId?: string;
  selfPrincipalIds: string[];
  managedResourceIds: string[];
  dnsZonesResourceGroupId: string;
  privateLinkServiceDns?: { zone: string; nameTemplate: string };
  policySource: { kind: "file"; path: string };
  approval: {
    baseUrl?: string;
    signingKey?: string;
    /** The key before the last rotation: links it signed stay valid until they expire. */
    previousSigningKey?: string;
    approvers: string[];
    channels: ApprovalChannel[];
    /** App Service authentication's sign-in path (default /.auth/login/aad). */
    signInPath: string;
  };
  teamsWebhookUrl?: string;
  acsEmail: { endpoint?: string; sender?: string };
  sweepSchedule: string;
  cleanupSchedule: string;
  /** How the sweeps list connections (SWEEP_LISTING). */
  sweepListing: SweepListing;
  tenantsImportFile?: string;
  tokenTimeoutMs: number;
}

export class ConfigError extends DomainError {
  constructor(readonly problems: string[]) {
    super(
      "CONFIG_INVALID",
      `The app settings have ${problems.length} problem(s); fix them in the app settings (local.settings.json locally):\n- ${problems.join("\n- ")}`,
    );
    this.name = "ConfigError";
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPE_ID =
  /^\/subscriptions\/[0-9a-f-]{36}(\/resourcegroups\/[^/]+(\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*)?)?$/i;
const RESOURCE_GROUP_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+$/i;
const NCRONTAB = /^(\S+\s+){5}\S+$/;
const DNS_ZONE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const TASK_HUB = /^[a-z][a-z0-9]{2,44}$/i;
const TABLE_PREFIX = /^[a-z][a-z0-9]{0,19}$/i;
/** The platform passes a Key Vault reference it could not resolve through as this literal text. */
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

type Env = Readonly<Record<string, string | undefined>>;

/** Parses and validates every setting; collects all problems and throws one ConfigError naming each setting. */
export function loadConfig(env: Env, options: { appRoot?: string } = {}): AppConfig {
  const problems: string[] = [];
  // An unresolved reference must never be used as a value: as a signing key it would even pass the length check.
  const unresolved = new Set(SETTING_NAMES.filter((name) => KEY_VAULT_REFERENCE.test(env[name]?.trim() ?? "")));
  for (const name of unresolved) {
    problems.push(
      `${name} is an unresolved Key Vault reference: the secret is missing or the app's identity cannot read it; check the reference status (portal: Environment variables), fix it, then restart the app.`,
    );
  }
  const get = (name: SettingName): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" || unresolved.has(name) ? undefined : v;
  };
  const required = (name: SettingName, what: string): string => {
    const v = get(name);
    if (v === undefined && !unresolved.has(name)) problems.push(`${name} is missing: set it to ${what}.`);
    return v ?? "";
  };
  const url = (name: SettingName, value: string | undefined, httpsOnly: boolean): string | undefined => {
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      const local = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
      if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && (!httpsOnly || local))) {
        problems.push(`${name} must be an https URL (http only for 127.0.0.1/localhost); got "${parsed.protocol}".`);
      }
      return value.replace(/\/+$/, "");
    } catch {
      problems.push(`${name} is not a URL: give an absolute https://... address.`);
      return undefined;
    }
  };
  const list = (name: SettingName): string[] =>
    (get(name) ?? "")
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter((s) => s !== "");

  const durableTaskHub = get("DURABLE_TASK_HUB") ?? "plautopilot";
  if (!TASK_HUB.test(durableTaskHub)) {
    problems.push("DURABLE_TASK_HUB must be 3-45 letters or digits starting with a letter (a task hub name).");
  }

  const tablesRaw = required(
    "TABLES_ENDPOINT",
    "UseDevelopmentStorage=true, an Azurite connection string, or https://<account>.table.core.windows.net",
  );
  let tables: TablesSetting = { kind: "connection-string", connectionString: tablesRaw };
  if (/^https?:\/\//i.test(tablesRaw)) {
    const u = url("TABLES_ENDPOINT", tablesRaw, true);
    tables = { kind: "endpoint", url: u ?? tablesRaw };
  } else if (
    tablesRaw !== "" &&
    !/^UseDevelopmentStorage=true$/i.test(tablesRaw) &&
    !/(TableEndpoint|AccountName)=/i.test(tablesRaw)
  ) {
    problems.push(
      "TABLES_ENDPOINT is neither a table endpoint URL nor a storage connection string (TableEndpoint=... or AccountName=...).",
    );
  }
  if (/AccountKey=|SharedAccessSignature=/i.test(tablesRaw) && !/devstoreaccount1/i.test(tablesRaw)) {
    problems.push(
      "TABLES_ENDPOINT carries a key: use the https endpoint URL with the managed identity instead of a secret.",
    );
  }

  const tablePrefix = get("TABLE_PREFIX") ?? "pla";
  if (!TABLE_PREFIX.test(tablePrefix))
    problems.push("TABLE_PREFIX must be 1-20 letters or digits starting with a letter.");

  const armEndpoint = url("ARM_ENDPOINT", get("ARM_ENDPOINT") ?? "https://management.azure.com", true) ?? "";
  if (armEndpoint.startsWith("http:"))
    problems.push("ARM_ENDPOINT must use https (the SDK refuses to send tokens over http).");
  const caFile = get("ARM_CA_FILE");
  if (caFile !== undefined && !existsSync(caFile)) {
    problems.push(`ARM_CA_FILE names a file that does not exist (${caFile}); clear it outside local runs.`);
  }

  const azureClientId = get("AZURE_CLIENT_ID");
  if (azureClientId !== undefined && !GUID.test(azureClientId)) {
    problems.push("AZURE_CLIENT_ID must be the client id (a GUID) of the user-assigned managed identity.");
  }
  const selfPrincipalIds = list("SELF_PRINCIPAL_IDS");
  for (const id of selfPrincipalIds) {
    if (!GUID.test(id)) problems.push(`SELF_PRINCIPAL_IDS has "${id}", which is not a GUID (object or app id).`);
  }
  if (azureClientId && !selfPrincipalIds.some((s) => s.toLowerCase() === azureClientId.toLowerCase())) {
    selfPrincipalIds.push(azureClientId); // our own identity's writes are always our echo
  }

  const managedResourceIds = list("MANAGED_RESOURCE_IDS");
  if (managedResourceIds.length === 0 && get("MANAGED_RESOURCE_IDS") === undefined) {
    problems.push(
      "MANAGED_RESOURCE_IDS is missing: list the provider resources, resource groups or subscriptions we manage (comma-separated ARM ids).",
    );
  }
  for (const id of managedResourceIds) {
    if (!SCOPE_ID.test(id)) {
      problems.push(`MANAGED_RESOURCE_IDS has "${id}", which is not a subscription, resource group or resource id.`);
    }
  }

  const dnsZonesResourceGroupId = required(
    "DNS_ZONES_RESOURCE_GROUP_ID",
    "the resource group id that holds the central private DNS zones",
  );
  if (dnsZonesResourceGroupId !== "" && !RESOURCE_GROUP_ID.test(dnsZonesResourceGroupId)) {
    problems.push("DNS_ZONES_RESOURCE_GROUP_ID must look like /subscriptions/<guid>/resourceGroups/<name>.");
  }

  const plsZone = get("PLS_DNS_ZONE");
  const plsTemplate = get("PLS_DNS_NAME_TEMPLATE") ?? "{tenant}.{service}";
  if (plsZone !== undefined && !DNS_ZONE.test(plsZone))
    problems.push("PLS_DNS_ZONE must be a DNS zone name such as privatelink.example.com.");
  if (!/^[a-z0-9.{}_-]+$/i.test(plsTemplate) || !plsTemplate.includes("{")) {
    problems.push("PLS_DNS_NAME_TEMPLATE must be a record name with {placeholders}, e.g. {tenant}.{service}.");
  }

  const policyRaw = required(
    "POLICY_SOURCE",
    "file:<path relative to the app root>, e.g. file:policy/default-policy.yaml",
  );
  let policyPath = "";
  if (policyRaw !== "") {
    if (!policyRaw.startsWith("file:")) {
      problems.push(`POLICY_SOURCE "${policyRaw}" is not supported: use file:<path relative to the app root>.`);
    } else {
      policyPath = normalize(policyRaw.slice("file:".length));
      if (policyPath === "." || isAbsolute(policyPath) || policyPath.startsWith("..")) {
        problems.push("POLICY_SOURCE must name a file inside the app (relative path, no ..).");
      } else if (options.appRoot !== undefined && !existsSync(`${options.appRoot}/${policyPath}`)) {
        problems.push(`POLICY_SOURCE names ${policyPath}, which is not in the app package.`);
      }
    }
  }

  const approvalBaseUrl = url("APPROVAL_BASE_URL", get("APPROVAL_BASE_URL"), true);
  const signingKey = get("APPROVAL_SIGNING_KEY");
  const previousSigningKey = get("APPROVAL_SIGNING_KEY_PREVIOUS");
  for (const [name, key] of [
    ["APPROVAL_SIGNING_KEY", signingKey],
    ["APPROVAL_SIGNING_KEY_PREVIOUS", previousSigningKey],
  ] as const) {
    if (key !== undefined && key.length < 32) {
      problems.push(`${name} is too short: use at least 32 random bytes, base64-encoded, from Key Vault.`);
    }
  }
  if (previousSigningKey !== undefined && signingKey === undefined) {
    problems.push("APPROVAL_SIGNING_KEY_PREVIOUS is set without APPROVAL_SIGNING_KEY: set the new key too.");
  }
  const channels = list("APPROVAL_CHANNELS").map((c) => c.toLowerCase());
  if (!channels.every((c) => APPROVAL_CHANNELS.includes(c as ApprovalChannel))) {
    problems.push(`APPROVAL_CHANNELS must list ${APPROVAL_CHANNELS.join(" and/or ")} (comma-separated).`);
  }
  const signInPath = get("APPROVAL_SIGN_IN_PATH") ?? "/.auth/login/aad";
  if (!/^\/\.auth\/login\/[a-z0-9-]+$/i.test(signInPath)) {
    problems.push("APPROVAL_SIGN_IN_PATH must be an App Service authentication sign-in path, e.g. /.auth/login/aad.");
  }
  const teamsWebhookUrl = url("TEAMS_WEBHOOK_URL", get("TEAMS_WEBHOOK_URL"), true);
  const acsEndpoint = url("ACS_EMAIL_ENDPOINT", get("ACS_EMAIL_ENDPOINT"), true);

  const sweepSchedule = get("SWEEP_SCHEDULE") ?? "0 */5 * * * *";
  const cleanupSchedule = get("CLEANUP_SCHEDULE") ?? "0 30 2 * * *";
  if (!NCRONTAB.test(sweepSchedule))
    problems.push("SWEEP_SCHEDULE must be a six-field NCRONTAB expression, e.g. 0 */5 * * * *.");
  if (!NCRONTAB.test(cleanupSchedule))
    problems.push("CLEANUP_SCHEDULE must be a six-field NCRONTAB expression, e.g. 0 30 2 * * *.");
  const sweepListing = get("SWEEP_LISTING") ?? "per-resource";
  if (sweepListing !== "per-resource" && sweepListing !== "resource-graph") {
    problems.push(
      "SWEEP_LISTING must be per-resource (one ARM listing per resource; small estates) or resource-graph (Azure Resource Graph pages; large estates, needs Reader on the scopes).",
    );
  }

  const timeoutRaw = get("TOKEN_TIMEOUT_MS") ?? "10000";
  const tokenTimeoutMs = Number(timeoutRaw);
  if (!/^\d+$/.test(timeoutRaw) || tokenTimeoutMs < 100 || tokenTimeoutMs > 120_000) {
    problems.push("TOKEN_TIMEOUT_MS must be a whole number of milliseconds between 100 and 120000.");
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const tenantsImportFile = get("TENANTS_IMPORT_FILE");
  const approvers = list("APPROVERS");
  const acsSender = get("ACS_EMAIL_SENDER");
  return {
    durableTaskHub,
    tables,
    tablePrefix,
    arm: { endpoint: armEndpoint, ...(caFile ? { caFile } : {}) },
    ...(azureClientId ? { azureClientId } : {}),
    selfPrincipalIds,
    managedResourceIds,
    dnsZonesResourceGroupId,
    ...(plsZone ? { privateLinkServiceDns: { zone: plsZone, nameTemplate: plsTemplate } } : {}),
    policySource: { kind: "file", path: policyPath },
    approval: {
      ...(approvalBaseUrl ? { baseUrl: approvalBaseUrl } : {}),
      ...(signingKey ? { signingKey } : {}),
      ...(previousSigningKey ? { previousSigningKey } : {}),
      approvers,
      channels: channels.length > 0 ? (channels as ApprovalChannel[]) : [...APPROVAL_CHANNELS],
      signInPath,
    },
    ...(teamsWebhookUrl ? { teamsWebhookUrl } : {}),
    acsEmail: { ...(acsEndpoint ? { endpoint: acsEndpoint } : {}), ...(acsSender ? { sender: acsSender } : {}) },
    sweepSchedule,
    cleanupSchedule,
    sweepListing: sweepListing as SweepListing,
    ...(tenantsImportFile ? { tenantsImportFile } : {}),
    tokenTimeoutMs,
  };
}
