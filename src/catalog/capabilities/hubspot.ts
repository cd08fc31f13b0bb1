/**
 * HubSpot CRM capabilities: contacts, companies and deals, through the CRM v3 object APIs,
 * which work alike for every object type (the date-versioned /crm/objects/2026-03 paths are
 * the successor; v3 has no end-of-support date yet).
 * https://developers.hubspot.com/docs/guides/crm/using-object-apis
 * Events are the webhook subscription types an app can subscribe to for the object:
 * https://developers.hubspot.com/docs/api/webhooks
 */
import type { ConnectorConfig } from '../../config/schema.js'

type Entity = NonNullable<NonNullable<ConnectorConfig['capabilities']>['entities']>[string]

const CRM = '/crm/v3/objects'

/** One CRM object type: the same five basic endpoints, named after the object. */
function crmObject (singular: string, plural: string, fields: string[], createExample: string): Entity {
  const record = `${CRM}/${plural}/{{ params.id }}`
  return {
    fields,
    actions: {
      list: {
        method: 'GET',
        path: `${CRM}/${plural}`,
        description: `List ${plural}, 10 by default (query: limit up to 100, after for the next page, properties as a comma-separated list, associations, archived).`,
      },
      read: {
        method: 'GET',
        path: record,
        description: `Get one ${singular} by its record id (query: properties, associations; idProperty to look it up by a unique property instead).`,
      },
      create: {
        method: 'POST',
        path: `${CRM}/${plural}`,
        description: `Create a ${singular} (body: {"properties": {${createExample}}, "associations": [...]}).`,
      },
      update: {
        method: 'PATCH',
        path: record,
        description: `Update a ${singular}'s properties by record id (body: {"properties": {...}}; only the properties sent change).`,
      },
    },
    events: [`${singular}.creation`, `${singular}.propertyChange`, `${singular}.deletion`, `${singular}.merge`, `${singular}.restore`],
  }
}

export const HUBSPOT_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide
    contact: crmObject('contact', 'contacts', ['id', 'email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage'],
      '"email": ..., "firstname": ..., "lastname": ...'),
    // https://developers.hubspot.com/docs/api-reference/crm-companies-v3/guide
    company: crmObject('company', 'companies', ['id', 'name', 'domain', 'industry', 'phone', 'city', 'country'],
      '"name": ..., "domain": ...'),
    // https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide
    deal: crmObject('deal', 'deals', ['id', 'dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id'],
      '"dealname": ..., "amount": ..., "dealstage": ..., "pipeline": ...'),
  },
}
