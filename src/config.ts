import { DomainError } from "./domain/errors";
import type { SweepListing } from "./ports/bookkeeping.port";
import type { ApprovalChannel } from "./domain/tenant";
import { SETTING_NAMES, SETTINGS, type SettingCheck, type SettingName, type TablesSetting } from "./settings";

export { HOST_SETTING_NAMES, SETTING_NAMES, type SettingName, type TablesSetting } from "./settings";

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
  /** ISO 8601 duration after which Rejected and Disconnected connections are deleted on the provider side; absent: off. */
  retentionPeriod?: string;
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

/** The platform passes a Key Vault reference it could not resolve through as this literal text. */
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

type Env = Readonly<Record<string, string | undefined>>;

/** Each setting's parsed value, typed by its parser in SETTINGS. */
type Parsed = { [K in SettingName]: ReturnType<(typeof SETTINGS)[K]["parse"]> };

/**
 * Parses and validates every setting as SETTINGS describes it; collects all problems and throws one ConfigError
 * naming each setting.
 */
export function loadConfig(env: Env, options: { appRoot?: string } = {}): AppConfig {
  const problems: string[] = [];
  // An unresolved reference must never be used as a value: as a signing key it would even pass the length check.
  const unresolved = new Set(SETTING_NAMES.filter((name) => KEY_VAULT_REFERENCE.test(env[name]?.trim() ?? "")));
  for (const name of unresolved) {
    problems.push(
      `${name} is an unresolved Key Vault reference: the secret is missing or the app's identity cannot read it; check the reference status (portal: Environment variables), fix it, then restart the app.`,
    );
  }
  const raw = (name: SettingName): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" || unresolved.has(name) ? undefined : v;
  };
  const parsed: Partial<Record<SettingName, unknown>> = {};
  for (const name of SETTING_NAMES) {
    const spec: (typeof SETTINGS)[SettingName] = SETTINGS[name];
    const value = raw(name) ?? spec.default;
    if (value === undefined && spec.required !== undefined && !unresolved.has(name)) {
      problems.push(`${name} is missing: set it to ${spec.required}.`);
    }
    const check: SettingCheck = {
      name,
      problem: (message) => problems.push(message),
      raw,
      ...(options.appRoot !== undefined ? { appRoot: options.appRoot } : {}),
    };
    parsed[name] = (spec.parse as (value: string | undefined, check: SettingCheck) => unknown)(value, check);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return toAppConfig(parsed as Parsed);
}

function toAppConfig(s: Parsed): AppConfig {
  const selfPrincipalIds = [...s.SELF_PRINCIPAL_IDS];
  const clientId = s.AZURE_CLIENT_ID;
  if (clientId && !selfPrincipalIds.some((id) => id.toLowerCase() === clientId.toLowerCase())) {
    selfPrincipalIds.push(clientId); // our own identity's writes are always our echo
  }
  return {
    durableTaskHub: s.DURABLE_TASK_HUB!,
    tables: s.TABLES_ENDPOINT,
    tablePrefix: s.TABLE_PREFIX!,
    arm: { endpoint: s.ARM_ENDPOINT, ...(s.ARM_CA_FILE ? { caFile: s.ARM_CA_FILE } : {}) },
    ...(clientId ? { azureClientId: clientId } : {}),
    selfPrincipalIds,
    managedResourceIds: s.MANAGED_RESOURCE_IDS,
    dnsZonesResourceGroupId: s.DNS_ZONES_RESOURCE_GROUP_ID ?? "",
    ...(s.PLS_DNS_ZONE
      ? { privateLinkServiceDns: { zone: s.PLS_DNS_ZONE, nameTemplate: s.PLS_DNS_NAME_TEMPLATE! } }
      : {}),
    policySource: s.POLICY_SOURCE,
    approval: {
      ...(s.APPROVAL_BASE_URL ? { baseUrl: s.APPROVAL_BASE_URL } : {}),
      ...(s.APPROVAL_SIGNING_KEY ? { signingKey: s.APPROVAL_SIGNING_KEY } : {}),
      ...(s.APPROVAL_SIGNING_KEY_PREVIOUS ? { previousSigningKey: s.APPROVAL_SIGNING_KEY_PREVIOUS } : {}),
      approvers: s.APPROVERS,
      channels: s.APPROVAL_CHANNELS,
      signInPath: s.APPROVAL_SIGN_IN_PATH!,
    },
    ...(s.TEAMS_WEBHOOK_URL ? { teamsWebhookUrl: s.TEAMS_WEBHOOK_URL } : {}),
    acsEmail: {
      ...(s.ACS_EMAIL_ENDPOINT ? { endpoint: s.ACS_EMAIL_ENDPOINT } : {}),
      ...(s.ACS_EMAIL_SENDER ? { sender: s.ACS_EMAIL_SENDER } : {}),
    },
    sweepSchedule: s.SWEEP_SCHEDULE!,
    cleanupSchedule: s.CLEANUP_SCHEDULE!,
    sweepListing: s.SWEEP_LISTING,
    ...(s.TENANTS_IMPORT_FILE ? { tenantsImportFile: s.TENANTS_IMPORT_FILE } : {}),
    tokenTimeoutMs: s.TOKEN_TIMEOUT_MS,
    ...(s.RETENTION_PERIOD ? { retentionPeriod: s.RETENTION_PERIOD } : {}),
  };
}
