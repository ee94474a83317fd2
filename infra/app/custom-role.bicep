// A custom role from one of the infra/roles/*.json data files, created in the subscription this module targets (the
// deployment subscription: main.bicep gives it no other scope, so the role's home never moves). Assignments refer to
// it by its GUID.
targetScope = 'subscription'

param roleKey string
param roleName string
param roleDescription string
param actions array
param assignableScopes array

var roleGuid = guid(tenant().tenantId, roleKey)

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    roleName: roleName
    description: roleDescription
    type: 'CustomRole'
    permissions: [
      {
        actions: actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

output roleGuid string = roleGuid
