// The Function App on the Flex Consumption plan, its app settings (the contract in local.settings.sample.json,
// checked by test/infra) and App Service authentication in front of the HTTP API.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param identityPrincipalId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string
param nodeVersion string
param maximumInstanceCount int
param instanceMemoryMB int
param authClientId string
param signingKeySecretUri string
@description('The signing key secret before the last rotation: links it signed stay valid until they expire. Empty: none.')
param previousSigningKeySecretUri string = ''
param teamsWebhookSecretUri string
param acsEndpoint string
param acsSender string
param managedResourceIds string
param dnsZonesResourceGroupId string
param plsDnsZone string
param plsDnsNameTemplate string
param policySource string
param approvers string
param sweepSchedule string
param cleanupSchedule string
@description('How the sweeps list connections: per-resource (small estates) or resource-graph (large estates).')
@allowed(['per-resource', 'resource-graph'])
param sweepListing string
param durableTaskHub string = 'plautopilot'
param tablePrefix string = 'pla'

var resourceManager = environment().resourceManager
// The SDK clients take the endpoint without a trailing slash.
var armEndpoint = endsWith(resourceManager, '/') ? substring(resourceManager, 0, length(resourceManager) - 1) : resourceManager

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (the default would be a system identity).
    keyVaultReferenceIdentity: identityId
    // No ftpsState (or any other property on the Flex Consumption deprecation list, checked by test/infra): Flex
    // Consumption has no FTP and refuses it. Source: "Flex Consumption plan deprecations",
    // https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// Flex Consumption sets the worker runtime from functionAppConfig.runtime: FUNCTIONS_WORKER_RUNTIME must not be set.
var appSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  DURABLE_TASK_HUB: durableTaskHub
  // An https endpoint (not a connection string) makes the app use its managed identity for tables.
  TABLES_ENDPOINT: storage.properties.primaryEndpoints.table
  TABLE_PREFIX: tablePrefix
  ARM_ENDPOINT: armEndpoint
  AZURE_CLIENT_ID: identityClientId
  // Event Grid echoes our own approve/reject writes; the intake recognises them by this object id (and the client id).
  SELF_PRINCIPAL_IDS: identityPrincipalId
  MANAGED_RESOURCE_IDS: managedResourceIds
  DNS_ZONES_RESOURCE_GROUP_ID: dnsZonesResourceGroupId
  PLS_DNS_ZONE: plsDnsZone
  PLS_DNS_NAME_TEMPLATE: plsDnsNameTemplate
  POLICY_SOURCE: policySource
  APPROVAL_BASE_URL: 'https://${site.properties.defaultHostName}/api/approvals'
  APPROVAL_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${signingKeySecretUri})'
  APPROVAL_SIGNING_KEY_PREVIOUS: empty(previousSigningKeySecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${previousSigningKeySecretUri})'
  APPROVAL_CHANNELS: 'teams,email'
  // The approval page sends a person without a session here, then back (App Service authentication with Entra ID).
  APPROVAL_SIGN_IN_PATH: '/.auth/login/aad'
  APPROVERS: approvers
  TEAMS_WEBHOOK_URL: empty(teamsWebhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'
  ACS_EMAIL_ENDPOINT: acsEndpoint
  ACS_EMAIL_SENDER: acsSender
  SWEEP_SCHEDULE: sweepSchedule
  CLEANUP_SCHEDULE: cleanupSchedule
  SWEEP_LISTING: sweepListing
  TENANTS_IMPORT_FILE: ''
  TOKEN_TIMEOUT_MS: '10000'
  // Off by default: finished connections stay visible on the resource until someone deletes them.
  RETENTION_PERIOD: ''
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// App Service authentication validates Entra tokens for people (it passes the caller to the app as the
// X-MS-CLIENT-PRINCIPAL headers) but lets requests without a token through to the Functions host, which still demands
// the function key on every authLevel 'function' route and the system key on /runtime/webhooks/eventgrid. So
// automation keeps using function keys, Event Grid keeps its webhook, and an anonymous call still gets 401 (checked
// after each deploy by scripts/azd/smoke.sh). "Authenticate but do not restrict access": AllowAnonymous,
// https://learn.microsoft.com/azure/app-service/overview-authentication-authorization#authorization-behavior.
// Flex Consumption supports it (no longer listed under its considerations:
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations); the preview did not block
// unauthenticated callers, which is why nothing here relies on the platform to refuse them.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output id string = site.id
output url string = 'https://${site.properties.defaultHostName}'
output approvalBaseUrl string = 'https://${site.properties.defaultHostName}/api/approvals'
