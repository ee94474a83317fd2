// Run by scripts/azd/postdeploy.sh after the code is deployed: an AzureFunction destination is validated against
// the functions that exist, so this cannot be part of `azd provision`.
targetScope = 'subscription'

@description('Resource id of the Function App (azd output AZURE_FUNCTION_APP_ID).')
param functionAppId string

@description('Resource id of the app storage account (azd output AZURE_STORAGE_ACCOUNT_ID).')
param deadLetterStorageAccountId string

@description('Dead-letter container (azd output DEAD_LETTER_CONTAINER_NAME).')
param deadLetterContainerName string

@description('System topics to subscribe (azd output EVENT_GRID_SYSTEM_TOPICS): [{ subscriptionId, resourceGroupName, systemTopicName }].')
param topics array

@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

module eventSubscription 'app/event-subscription.bicep' = [
  for topic in topics: {
    name: 'evgs-${uniqueString(topic.subscriptionId, topic.resourceGroupName, topic.systemTopicName)}'
    scope: resourceGroup(topic.subscriptionId, topic.resourceGroupName)
    params: {
      systemTopicName: topic.systemTopicName
      functionAppId: functionAppId
      deadLetterStorageAccountId: deadLetterStorageAccountId
      deadLetterContainerName: deadLetterContainerName
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
  }
]

output eventSubscriptionIds array = [for (topic, i) in topics: eventSubscription[i].outputs.id]
