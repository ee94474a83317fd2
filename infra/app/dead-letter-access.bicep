// Lets each system topic's identity write undeliverable events into the dead-letter container, and nowhere else.
param storageAccountName string
param containerName string
param topicPrincipalIds array

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: containerName
}

resource writer 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in topicPrincipalIds: {
    name: guid(container.id, principalId, storageBlobDataContributor)
    scope: container
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    }
  }
]
