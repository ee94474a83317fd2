import type { ConnectionRecord, EndpointRecord, ProviderResource, RecordSetRecord } from "../estate/estate-records";
import { resourceId } from "./arm-path";

/** Wire shapes of the resources, as the real api-versions return them. */

/** The envelope every tracked provider resource shares. */
function trackedResource(r: ProviderResource): Record<string, unknown> {
  return { id: r.id, name: r.name, type: r.family.type, location: r.location, tags: r.tags };
}

/** The GUID Azure gives an endpoint; the sandbox names the connection `{endpoint}.{guid}`. */
function endpointGuid(e: EndpointRecord): string {
  return e.connectionName.slice(e.name.length + 1);
}

export function connectionView(c: ConnectionRecord, provider: ProviderResource): Record<string, unknown> {
  const isPls = provider.pls !== undefined;
  const properties: Record<string, unknown> = {
    provisioningState: c.provisioningState,
    privateEndpoint: { id: c.privateEndpointId },
    privateLinkServiceConnectionState: {
      status: c.status,
      description: c.description,
      [provider.family.actionsField]: c.actionsRequired,
    },
  };
  if (isPls) {
    properties.linkIdentifier = c.linkIdentifier;
    properties.privateEndpointLocation = c.privateEndpointLocation;
  } else if (provider.family.connectionGroupIds) {
    properties.groupIds = c.groupIds;
  }
  return {
    id: c.id,
    name: c.name,
    type: `${provider.family.type}/privateEndpointConnections`,
    ...(isPls ? { etag: `W/"${c.etag}"` } : {}),
    properties,
  };
}

export function privateLinkServiceView(r: ProviderResource, connections: ConnectionRecord[]): Record<string, unknown> {
  const pls = r.pls!;
  const inProviderGroup = (type: string, name: string): string =>
    resourceId(r.subscriptionId, r.resourceGroup, `Microsoft.Network/${type}`, name);
  return {
    ...trackedResource(r),
    etag: `W/"${r.id.length}-${connections.length}"`,
    properties: {
      provisioningState: "Succeeded",
      visibility: { subscriptions: pls.visibility },
      autoApproval: { subscriptions: pls.autoApproval },
      fqdns: pls.fqdns,
      alias: pls.alias,
      enableProxyProtocol: false,
      loadBalancerFrontendIpConfigurations: [
        { id: `${inProviderGroup("loadBalancers", pls.loadBalancer)}/frontendIPConfigurations/frontend` },
      ],
      ipConfigurations: [
        {
          name: "nat-ipconfig",
          properties: {
            privateIPAllocationMethod: "Dynamic",
            privateIPAddressVersion: "IPv4",
            primary: true,
            subnet: { id: `${inProviderGroup("virtualNetworks", "provider-vnet")}/subnets/pls-nat` },
          },
        },
      ],
      privateEndpointConnections: connections.map((c) => connectionView(c, r)),
      networkInterfaces: [{ id: inProviderGroup("networkInterfaces", `${r.name}.nic.0`) }],
    },
  };
}

export function paasResourceView(r: ProviderResource, connections: ConnectionRecord[]): Record<string, unknown> {
  const inline = connections.map((c) => {
    const view = connectionView(c, r);
    return r.family.inlineConnections === "resource" ? view : { id: view.id, properties: view.properties };
  });
  return {
    ...trackedResource(r),
    properties: {
      ...r.family.resourceProperties(r),
      ...(inline.length > 0 || r.family.inlineListWhenEmpty ? { privateEndpointConnections: inline } : {}),
    },
  };
}

function endpointConnectionState(e: EndpointRecord): Record<string, unknown> {
  return { status: e.status, description: e.description, actionsRequired: "None" };
}

export function privateEndpointView(e: EndpointRecord): Record<string, unknown> {
  // Auto-approved links are listed as privateLinkServiceConnections, the rest as the manual ones, as Azure does.
  const linkKind = e.autoApproved ? "privateLinkServiceConnections" : "manualPrivateLinkServiceConnections";
  const link = {
    id: `${e.id}/${linkKind}/${e.name}`,
    name: e.name,
    type: `Microsoft.Network/privateEndpoints/${linkKind}`,
    etag: `W/"${e.etag}"`,
    properties: {
      provisioningState: "Succeeded",
      privateLinkServiceId: e.targetResourceId,
      groupIds: e.groupId ? [e.groupId] : [],
      requestMessage: e.requestMessage,
      privateLinkServiceConnectionState: endpointConnectionState(e),
    },
  };
  return {
    id: e.id,
    name: e.name,
    type: "Microsoft.Network/privateEndpoints",
    location: e.location,
    etag: `W/"${e.etag}"`,
    properties: {
      // PrivateEndpointProperties (privateEndpoint.json) has no resourceGuid, unlike a NIC's properties.
      provisioningState: "Succeeded",
      subnet: { id: e.subnetId },
      networkInterfaces: [{ id: e.nicId }],
      customNetworkInterfaceName: "",
      privateLinkServiceConnections: e.autoApproved ? [link] : [],
      manualPrivateLinkServiceConnections: e.autoApproved ? [] : [link],
      // With a private DNS zone group Azure leaves customDnsConfigs empty: the NIC alone has the names.
      customDnsConfigs: e.customDnsConfigs ? e.fqdns.map((fqdn) => ({ fqdn, ipAddresses: [e.privateIp] })) : [],
      ipConfigurations: [],
      applicationSecurityGroups: [],
    },
  };
}

export function networkInterfaceView(e: EndpointRecord): Record<string, unknown> {
  const ipConfigName = `privateEndpointIpConfig.${endpointGuid(e)}`;
  return {
    id: e.nicId,
    name: e.nicName,
    type: "Microsoft.Network/networkInterfaces",
    location: e.location,
    etag: `W/"${e.etag}"`,
    properties: {
      provisioningState: "Succeeded",
      ipConfigurations: [
        {
          id: `${e.nicId}/ipConfigurations/${ipConfigName}`,
          name: ipConfigName,
          type: "Microsoft.Network/networkInterfaces/ipConfigurations",
          properties: {
            provisioningState: "Succeeded",
            privateIPAddress: e.privateIp,
            privateIPAllocationMethod: "Dynamic",
            privateIPAddressVersion: "IPv4",
            primary: true,
            subnet: { id: e.subnetId },
            privateLinkConnectionProperties: {
              groupId: e.groupId,
              requiredMemberName: e.groupId,
              fqdns: e.fqdns,
            },
          },
        },
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      privateEndpoint: { id: e.id },
      nicType: "Standard",
    },
  };
}

export function recordSetView(r: RecordSetRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    type: `Microsoft.Network/privateDnsZones/${r.recordType}`,
    etag: r.etag,
    properties: {
      ...r.properties,
      fqdn: `${r.name === "@" ? "" : `${r.name}.`}${r.zone}.`,
      isAutoRegistered: false,
    },
  };
}
