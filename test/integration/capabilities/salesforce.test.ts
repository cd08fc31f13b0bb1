/**
 * The salesforce catalog entry's actions (accounts, contacts, opportunities) against a
 * recording upstream, through the entry's default `oauth` method with a stored access token.
 */
import t from 'tap'
import { runCapabilityTable, type ActionCase } from './harness.js'

const ACCESS_TOKEN = '00Dfake!capabilities.AQ0123456789'

const soql = (object: string, fields: string): string =>
  `/query?q=SELECT+${fields}+FROM+${object}+ORDER+BY+LastModifiedDate+DESC+LIMIT+200`

const sobject = (entity: string, object: string, fields: string, id: string, record: Record<string, unknown>): ActionCase[] => [
  { entity, action: 'list', method: 'GET', url: soql(object, fields) },
  { entity, action: 'read', params: { id }, query: { fields: 'Id,Name' }, method: 'GET', url: `/sobjects/${object}/${id}?fields=Id%2CName` },
  { entity, action: 'create', body: record, method: 'POST', url: `/sobjects/${object}` },
  { entity, action: 'update', params: { id }, body: record, method: 'PATCH', url: `/sobjects/${object}/${id}` },
]

await runCapabilityTable(t, {
  slug: 'salesforce',
  connection: "auth: oauth, credentials: { access_token: \"{{ get_secret('sf_access_token') }}\" }",
  // The oauth method's client secrets are read for a refresh only; they must exist all the same.
  secrets: { sf_access_token: ACCESS_TOKEN, salesforce_client_id: 'sf-client-id-fake', salesforce_client_secret: 'sf-client-secret-fake' },
  headers: { authorization: `Bearer ${ACCESS_TOKEN}` },
  cases: [
    ...sobject('account', 'Account', 'Id,Name,Type,Industry,Website,Phone,LastModifiedDate', '001D000000INjVeIAL', { Name: 'Acme', BillingCity: 'San Francisco' }),
    ...sobject('contact', 'Contact', 'Id,FirstName,LastName,Email,Phone,AccountId,LastModifiedDate', '003D000000QOjPeIAL', { LastName: 'Doe', Email: 'jo@example.com' }),
    ...sobject('opportunity', 'Opportunity', 'Id,Name,StageName,Amount,CloseDate,AccountId,LastModifiedDate', '006D000000BBRoPIAX', { Name: 'Renewal', StageName: 'Prospecting', CloseDate: '2026-12-31' }),
  ],
})
