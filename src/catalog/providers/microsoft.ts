/** Microsoft Graph and the Graph-based SharePoint and Outlook connectors. */
import type { ConnectorConfig } from '../../config/schema.js'
import { MICROSOFT_HOSTS, microsoftAppOnly, microsoftOAuth, microsoftTenantInput } from '../shared.js'

const GRAPH = 'https://graph.microsoft.com/v1.0'

function graph (name: string, description: string, secretPrefix: string, scopes: string[], test: NonNullable<ConnectorConfig['test']>): ConnectorConfig {
  return {
    name,
    description,
    domain: 'microsoft.com',
    visibility: 'public',
    base_url: GRAPH,
    // The authorize and token URLs are templated on the tenant: their host must be allowed (SPEC 8).
    allowed_hosts: MICROSOFT_HOSTS,
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

/**
 * The test requests run with either method, so none is under /me (an app-only token has no
 * signed-in user: /me answers 400). GET /organization takes User.Read delegated or
 * Organization.Read.All as an application permission
 * (https://learn.microsoft.com/en-us/graph/api/organization-get); GET /sites/root takes
 * Sites.Read.All either way (https://learn.microsoft.com/en-us/graph/api/site-get).
 */
const ORGANIZATION_TEST = { method: 'GET', path: '/organization?$select=id', expect_status: 200 } as const

export const MICROSOFT_CONNECTORS: Record<string, ConnectorConfig> = {
  'microsoft-graph': graph('Microsoft Graph', 'Microsoft Graph API v1.0', 'microsoft_graph',
    ['User.Read'],
    ORGANIZATION_TEST),
  sharepoint: graph('SharePoint', 'SharePoint sites, lists and files through Microsoft Graph', 'sharepoint',
    ['Sites.ReadWrite.All', 'Files.ReadWrite.All'],
    { method: 'GET', path: '/sites/root', expect_status: 200 }),
  // Mail, calendar and contacts are per user (/users/{id}/...): the test checks the token on the
  // tenant instead, which User.Read (delegated) or Organization.Read.All (application) allows.
  outlook: graph('Outlook', 'Outlook mail, calendar and contacts through Microsoft Graph', 'outlook',
    ['User.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite'],
    ORGANIZATION_TEST),
}
