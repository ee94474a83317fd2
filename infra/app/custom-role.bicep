// A custom role from one of the infra/roles/*.json data files. Created in the subscription of its first
// assignable scope; assignments refer to it by its GUID.
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
