import { DomainError } from "../errors";

export interface ZoneCatalogEntry {
  resourceType: string;
  groupIds: string[];
  zones: string[];
}
export function zonesFor(resourceType: string, groupId: string, vars?: Record<string, string>): string[] {
  throw new DomainError("NOT_IMPLEMENTED", resourceType + groupId + String(vars));
}
export interface EndpointDnsInfo {
  customDnsConfigs?: { fqdn: string; ipAddresses: string[] }[];
  nicIpConfigurations?: { privateIPAddress: string; fqdns: string[]; groupId?: string; requiredMemberName?: string }[];
}
export interface PlannedDnsRecord {
  zone: string;
  name: string;
  fqdn: string;
  ipAddresses: string[];
}
export interface DnsPlanInput {
  providerResourceType: string;
  groupIds: string[];
  location?: string;
  endpoint: EndpointDnsInfo;
  privateLinkService?: { zone: string; nameTemplate: string; vars: Record<string, string> };
}
export function planDnsRecords(input: DnsPlanInput): { records: PlannedDnsRecord[]; unmatched: string[] } {
  throw new DomainError("NOT_IMPLEMENTED", input.providerResourceType);
}
