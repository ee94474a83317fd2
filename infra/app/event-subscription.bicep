// The event subscription on one system topic: private endpoint and connection writes/deletes, delivered to the
// `resource-events` function, retried, and dead-lettered with the topic's identity (no storage keys).
param systemTopicName string
param functionAppId string
param deadLetterStorageAccountId string
param deadLetterContainerName string
param maxDeliveryAttempts int
param eventTimeToLiveInMinutes int

// Shared with test/infra: the same data as HANDLED_EVENT_TYPES / HANDLED_OPERATION_NAMES in src/domain/intake.ts.
var filterData = loadJsonContent('../events/resource-events-filter.json')

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource subscriptionToApp 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: filterData.eventSubscriptionName
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${filterData.functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: filterData.includedEventTypes
      enableAdvancedFilteringOnArrays: true
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: filterData.operationNames
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output id string = subscriptionToApp.id
