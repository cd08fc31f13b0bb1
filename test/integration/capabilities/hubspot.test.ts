/** The hubspot catalog entry's actions (contacts, companies, deals) against a recording upstream. */
import t from 'tap'
import { runCapabilityTable, type ActionCase } from './harness.js'

const TOKEN = 'pat-na1-fake0000-1111-2222-3333-capabilities'

/** The CRM v3 object endpoints are alike for every object type. */
const crmObject = (entity: string, plural: string, properties: Record<string, string>): ActionCase[] => [
  { entity, action: 'list', query: { limit: '100', after: 'MTAw', properties: 'name,createdate' }, method: 'GET', url: `/crm/v3/objects/${plural}?limit=100&after=MTAw&properties=name%2Ccreatedate` },
  { entity, action: 'read', params: { id: '512' }, query: { associations: 'companies' }, method: 'GET', url: `/crm/v3/objects/${plural}/512?associations=companies` },
  { entity, action: 'create', body: { properties }, method: 'POST', url: `/crm/v3/objects/${plural}` },
  { entity, action: 'update', params: { id: '512' }, body: { properties }, method: 'PATCH', url: `/crm/v3/objects/${plural}/512` },
]

await runCapabilityTable(t, {
  slug: 'hubspot',
  connection: "credentials: { token: \"{{ get_secret('hubspot_token') }}\" }",
  secrets: { hubspot_token: TOKEN },
  headers: { authorization: `Bearer ${TOKEN}` },
  cases: [
    ...crmObject('contact', 'contacts', { email: 'mark.s@lumon.example', firstname: 'Mark', lastname: 'S.' }),
    ...crmObject('company', 'companies', { name: 'Lumon', domain: 'lumon.example' }),
    ...crmObject('deal', 'deals', { dealname: 'Renewal', amount: '1500.00', dealstage: 'contractsent', pipeline: 'default' }),
  ],
})
