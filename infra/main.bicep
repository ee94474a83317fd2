// Private Link Autopilot: everything `azd provision` creates, at subscription scope.
// The Event Grid event subscriptions come later, from scripts/azd/postdeploy.sh (infra/event-subscriptions.bicep),
// because an Azure Function destination must already contain the deployed function.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds the resource token so names are unique and stable per environment.')
param environmentName string

@minLength(1)
@description('Region for every regional resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline running azd; gets Key Vault Secrets Officer so the postprovision hook can create the signing key. Empty: no assignment.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@minLength(36)
@maxLength(36)
@description('Client id of the Entra app registration that protects the HTTP API (App Service authentication). Prerequisite: see docs/deployment.md.')
param authClientId string

@minLength(1)
@description('Comma-separated resource group ids holding the provider resources the app manages (Private Link Services, PaaS resources).')
param managedResourceGroupIds string

@description('Resource group id of the central private DNS zones.')
param dnsZonesResourceGroupId string

@description('Comma-separated watched (consumer) subscriptions. Each item is a subscription id, or subscriptionId/resourceGroup/systemTopicName to reuse that subscription\'s existing Microsoft.Resources.Subscriptions system topic.')
param watchedSubscriptions string = ''

@description('Resource group created in each watched subscription for a new system topic.')
param eventGridResourceGroupName string = 'rg-privatelink-autopilot-events'

@description('Comma-separated approver email addresses.')
param approvers string

@description('Private DNS zone for customer Private Link Services (empty when none).')
param plsDnsZone string = ''

@description('Record name template inside plsDnsZone.')
param plsDnsNameTemplate string = '{tenant}.{service}'

@description('Where the policy document comes from.')
param policySource string = 'file:policy/default-policy.yaml'

@description('NCRONTAB schedule of the sweep that lists connections of every managed resource.')
param sweepSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the stale-connection cleanup.')
param cleanupSchedule string = '0 30 2 * * *'

@description('How the sweeps list connections: per-resource (small estates) or resource-graph (large estates).')
@allowed(['per-resource', 'resource-graph'])
param sweepListing string = 'per-resource'

@description('Where Azure Communication Services stores email data.')
param emailDataLocation string = 'United States'

@secure()
@description('Teams Workflows webhook URL; stored in Key Vault. Empty: Teams notifications are off.')
param teamsWebhookUrl string = ''

@description('During a signing key rotation: the versioned secret URI of the key before it, so links it signed stay valid until they expire. Empty otherwise.')
param previousSigningKeySecretUri string = ''

@allowed(['20', '22'])
@description('Node.js version of the Flex Consumption runtime.')
param nodeVersion string = '20'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-plautopilot-${resourceToken}'
// Container names are at most 63 characters.
var deploymentContainerName = 'app-package-${take(resourceToken, 20)}'
var deadLetterContainerName = 'eventgrid-deadletter'

var managedGroups = filter(map(split(managedResourceGroupIds, ','), id => trim(id)), id => !empty(id))
var watchedItems = filter(map(split(watchedSubscriptions, ','), item => trim(item)), item => !empty(item))
var watched = map(watchedItems, item => {
  subscriptionId: split(item, '/')[0]
  resourceGroupName: length(split(item, '/')) == 3 ? split(item, '/')[1] : eventGridResourceGroupName
  existingSystemTopicName: length(split(item, '/')) == 3 ? split(item, '/')[2] : ''
})

var providerRoleData = loadJsonContent('roles/provider-connection-approver.json')
var dnsRoleData = loadJsonContent('roles/dns-record-writer.json')
var endpointReaderRoleData = loadJsonContent('roles/endpoint-reader.json')
var emailSenderRoleData = loadJsonContent('roles/email-sender.json')
var operationStatusRoleData = loadJsonContent('roles/operation-status-reader.json')

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-plautopilot-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stpla${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'app/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-pla-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    teamsWebhookUrl: teamsWebhookUrl
  }
}

module email 'app/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    communicationServiceName: 'acs-pla-${resourceToken}'
    emailServiceName: 'ecs-pla-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
    appPrincipalId: identity.outputs.principalId
    emailSenderRoleGuid: emailSenderRole.outputs.roleGuid
  }
}

module api 'app/function-app.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    authClientId: authClientId
    signingKeySecretUri: keyVault.outputs.signingKeySecretUri
    previousSigningKeySecretUri: previousSigningKeySecretUri
    teamsWebhookSecretUri: keyVault.outputs.teamsWebhookSecretUri
    acsEndpoint: email.outputs.endpoint
    acsSender: email.outputs.senderAddress
    managedResourceIds: join(managedGroups, ',')
    dnsZonesResourceGroupId: dnsZonesResourceGroupId
    plsDnsZone: plsDnsZone
    plsDnsNameTemplate: plsDnsNameTemplate
    policySource: policySource
    approvers: approvers
    sweepSchedule: sweepSchedule
    cleanupSchedule: cleanupSchedule
    sweepListing: sweepListing
  }
}

// Custom roles: one data file each (infra/roles), so the offline tests compare them with the code's ARM calls.
// Every role lives in the deployment subscription (a stable home: reordering or moving the managed groups never moves
// a role) and is assignable on whole subscriptions, so moving a group inside a subscription leaves the role untouched.
// Assignments stay at the narrowest scope (resource group, resource). See docs/deployment.md, "Moving the DNS zones".
var home = subscription().id
var managedSubscriptionScopes = union(map(managedGroups, id => '/subscriptions/${toLower(split(id, '/')[2])}'), [])
var dnsSubscriptionScope = '/subscriptions/${toLower(split(dnsZonesResourceGroupId, '/')[2])}'
var watchedSubscriptionScopes = union(map(watched, w => '/subscriptions/${toLower(w.subscriptionId)}'), [])

module providerRole 'app/custom-role.bicep' = {
  name: 'role-provider-connection-approver-${resourceToken}'
  params: {
    roleKey: 'provider-connection-approver-${resourceToken}'
    roleName: '${providerRoleData.roleName} (${environmentName}, ${resourceToken})'
    roleDescription: providerRoleData.description
    actions: providerRoleData.actions
    assignableScopes: union([home], managedSubscriptionScopes)
  }
}

module operationStatusRole 'app/custom-role.bicep' = {
  name: 'role-operation-status-reader-${resourceToken}'
  params: {
    roleKey: 'operation-status-reader-${resourceToken}'
    roleName: '${operationStatusRoleData.roleName} (${environmentName}, ${resourceToken})'
    roleDescription: operationStatusRoleData.description
    actions: operationStatusRoleData.actions
    assignableScopes: union([home], managedSubscriptionScopes)
  }
}

module dnsRole 'app/custom-role.bicep' = {
  name: 'role-dns-record-writer-${resourceToken}'
  params: {
    roleKey: 'dns-record-writer-${resourceToken}'
    roleName: '${dnsRoleData.roleName} (${environmentName}, ${resourceToken})'
    roleDescription: dnsRoleData.description
    actions: dnsRoleData.actions
    assignableScopes: union([home], [dnsSubscriptionScope])
  }
}

module endpointReaderRole 'app/custom-role.bicep' = if (!empty(watched)) {
  name: 'role-endpoint-reader-${resourceToken}'
  params: {
    roleKey: 'endpoint-reader-${resourceToken}'
    roleName: '${endpointReaderRoleData.roleName} (${environmentName}, ${resourceToken})'
    roleDescription: endpointReaderRoleData.description
    actions: endpointReaderRoleData.actions
    assignableScopes: union([home], watchedSubscriptionScopes)
  }
}

module emailSenderRole 'app/custom-role.bicep' = {
  name: 'role-email-sender-${resourceToken}'
  params: {
    roleKey: 'email-sender-${resourceToken}'
    roleName: '${emailSenderRoleData.roleName} (${environmentName}, ${resourceToken})'
    roleDescription: emailSenderRoleData.description
    actions: emailSenderRoleData.actions
    assignableScopes: [home]
  }
}

module providerAccess 'app/group-role-assignment.bicep' = [
  for groupId in managedGroups: {
    name: 'provider-access-${resourceToken}-${uniqueString(groupId)}'
    scope: resourceGroup(split(groupId, '/')[2], split(groupId, '/')[4])
    params: {
      principalId: identity.outputs.principalId
      roleGuid: providerRole.outputs.roleGuid
    }
  }
]

// Polling a long-running approval reads /subscriptions/<id>/providers/<RP>/locations/...: status reads only, on the
// subscription of each managed group (infra/roles/operation-status-reader.json).
module operationStatusAccess 'app/subscription-role-assignment.bicep' = [
  for subscriptionScope in managedSubscriptionScopes: {
    name: 'operation-status-${resourceToken}-${uniqueString(subscriptionScope)}'
    scope: subscription(split(subscriptionScope, '/')[2])
    params: {
      principalId: identity.outputs.principalId
      roleGuid: operationStatusRole.outputs.roleGuid
    }
  }
]

module dnsAccess 'app/group-role-assignment.bicep' = {
  name: 'dns-access-${resourceToken}'
  scope: resourceGroup(split(dnsZonesResourceGroupId, '/')[2], split(dnsZonesResourceGroupId, '/')[4])
  params: {
    principalId: identity.outputs.principalId
    roleGuid: dnsRole.outputs.roleGuid
  }
}

// One system topic per watched subscription (Azure allows only one of this type per subscription: reuse by parameter).
module watchedSubscription 'app/watched-subscription.bicep' = [
  for (w, i) in watched: {
    name: 'watch-${resourceToken}-${w.subscriptionId}'
    scope: subscription(w.subscriptionId)
    params: {
      resourceGroupName: w.resourceGroupName
      existingSystemTopicName: w.existingSystemTopicName
      systemTopicName: 'evgt-plautopilot-${resourceToken}'
      appPrincipalId: identity.outputs.principalId
      endpointReaderRoleGuid: endpointReaderRole.outputs.roleGuid
      tags: tags
    }
  }
]

module deadLetterAccess 'app/dead-letter-access.bicep' = if (!empty(watched)) {
  name: 'dead-letter-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    containerName: deadLetterContainerName
    topicPrincipalIds: [for (w, i) in watched: watchedSubscription[i].outputs.principalId]
  }
}

// Outputs become azd environment values: the postdeploy hook and operators read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_ID string = api.outputs.id
output AZURE_FUNCTION_APP_URL string = api.outputs.url
output APPROVAL_BASE_URL string = api.outputs.approvalBaseUrl
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
output DEAD_LETTER_CONTAINER_NAME string = deadLetterContainerName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output APPROVAL_SIGNING_KEY_SECRET_NAME string = keyVault.outputs.signingKeySecretName
output ACS_EMAIL_ENDPOINT string = email.outputs.endpoint
output ACS_EMAIL_SENDER string = email.outputs.senderAddress
output EVENT_GRID_SYSTEM_TOPICS array = [
  for (w, i) in watched: {
    subscriptionId: w.subscriptionId
    resourceGroupName: w.resourceGroupName
    systemTopicName: watchedSubscription[i].outputs.systemTopicName
  }
]
