/** Microsoft Graph and the Graph-based SharePoint and Outlook connectors. */
import type { ConnectorConfig } from '../../config/schema.js'
import { microsoftAppOnly, microsoftOAuth, microsoftTenantInput } from '../shared.js'

const GRAPH = 'https://graph.microsoft.com/v1.0'

function graph (name: string, description: string, secretPrefix: string, scopes: string[], test: NonNullable<ConnectorConfig['test']>): ConnectorConfig {
  return {
    name,
    description,
    domain: 'microsoft.com',
    visibility: 'public',
    base_url: GRAPH,
    inputs: [microsoftTenantInput],
    auth: {
      default: 'oauth',
      methods: {
        oauth: microsoftOAuth(secretPrefix, scopes),
        // Application permissions, for a specific tenant (not `common`).
        app: microsoftAppOnly(secretPrefix),
      },
    },
    test,
  }
}

export const MICROSOFT_CONNECTORS: Record<string, ConnectorConfig> = {
  'microsoft-graph': graph('Microsoft Graph', 'Microsoft Graph API v1.0', 'microsoft_graph',
    ['User.Read'],
    { method: 'GET', path: '/organization', expect_status: 200 }),
  sharepoint: graph('SharePoint', 'SharePoint sites, lists and files through Microsoft Graph', 'sharepoint',
    ['Sites.ReadWrite.All', 'Files.ReadWrite.All'],
    { method: 'GET', path: '/sites/root', expect_status: 200 }),
  outlook: graph('Outlook', 'Outlook mail, calendar and contacts through Microsoft Graph', 'outlook',
    ['User.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite'],
    { method: 'GET', path: '/me/mailFolders?$top=1', expect_status: 200 }),
}
