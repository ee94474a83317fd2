// DNS name rules (RFC 1035 as Azure DNS applies them): labels of 1–63 characters, names of at most 253.

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A relative record-set name: labels of letters, digits, "-" and "_" (service records), or a leading "*". */
export function isValidRecordName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label, i) => LABEL.test(label) || (i === 0 && label === "*"));
}

/** A name generated from a template must be a plain hostname: no "_" or wildcard. */
export function isValidHostLabelSequence(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split(".").every((l) => HOSTNAME_LABEL.test(l));
}

export function isValidZoneName(zone: string): boolean {
  return isValidHostLabelSequence(zone) && zone.includes(".");
}

/** Lower-cases and drops a trailing dot. */
export function normaliseDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(ip: string): boolean {
  return IPV4.test(ip);
}

/** Numeric order for IPv4 addresses, so plans are stable and readable. */
export function compareIpv4(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}
