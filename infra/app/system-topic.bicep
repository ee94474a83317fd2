// The subscription's system topic, with a system-assigned identity for dead-lettering. A reused topic must
// already have one (docs/deployment.md).
param existingSystemTopicName string
param systemTopicName string
param tags object

var reuse = !empty(existingSystemTopicName)

resource created 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (!reuse) {
  name: systemTopicName
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource reused 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (reuse) {
  name: existingSystemTopicName
}

output name string = reuse ? reused.name : created.name
output principalId string = reuse ? reused.identity.principalId : created.identity.principalId
