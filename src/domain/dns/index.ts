export * from "./zone-catalog";
export * from "./dns-plan";
export { isValidRecordName, isValidZoneName, normaliseDnsName } from "./dns-name";
