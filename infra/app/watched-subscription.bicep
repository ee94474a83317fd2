// One watched (consumer) subscription: its Microsoft.Resources.Subscriptions system topic (created, or an existing
// one reused: Azure allows one per subscription) and read access to the private endpoints that live there.
targetScope = 'subscription'

param resourceGroupName string
param existingSystemTopicName string
param systemTopicName string
param appPrincipalId string
param endpointReaderRoleGuid string
param tags object

var reuse = !empty(existingSystemTopicName)

// Only a new topic gets a new group: re-putting an existing group could change its location or tags.
resource topicGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (!reuse) {
  name: resourceGroupName
  location: deployment().location
  tags: tags
}

module topic 'system-topic.bicep' = {
  name: 'system-topic-${uniqueString(subscription().id, resourceGroupName)}'
  scope: resourceGroup(resourceGroupName)
  dependsOn: [topicGroup]
  params: {
    existingSystemTopicName: existingSystemTopicName
    systemTopicName: systemTopicName
    tags: tags
  }
}

resource endpointReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(endpointReaderRoleGuid)) {
  name: guid(subscription().id, appPrincipalId, endpointReaderRoleGuid)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', endpointReaderRoleGuid)
  }
}

output systemTopicName string = topic.outputs.name
output principalId string = topic.outputs.principalId
