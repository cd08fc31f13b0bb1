/**
 * Salesforce REST API capabilities: accounts, contacts and opportunities, under the connector's
 * base URL (<instance_url>/services/data/<version>). Records are read, created and updated
 * through the sObject resources; a list is a SOQL query of the object's main fields, newest
 * change first (the answer's nextRecordsUrl is the next page, a /proxy path).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 * No `events`: Salesforce sends changes through Change Data Capture and Platform Events (the
 * Pub/Sub API) or SOAP outbound messages, not webhooks that /webhooks could verify.
 */
import type { ConnectorConfig } from '../../config/schema.js'

type Entity = NonNullable<NonNullable<ConnectorConfig['capabilities']>['entities']>[string]

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
// (the query in the URL, its spaces as `+`)
const soql = (object: string, fields: string[]): string =>
  `/query?q=SELECT+${fields.join(',')}+FROM+${object}+ORDER+BY+LastModifiedDate+DESC+LIMIT+200`

/** One standard object: a SOQL list plus the sObject Basic Information and sObject Rows resources. */
function sobject (object: string, label: string, fields: string[], createExample: string): Entity {
  const row = `/sobjects/${object}/{{ params.id }}`
  return {
    fields,
    actions: {
      list: {
        method: 'GET',
        path: soql(object, fields),
        description: `List up to 200 ${label}s, most recently changed first, with ${fields.join(', ')} (a SOQL query; more at the answer's nextRecordsUrl).`,
      },
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_get.htm
      read: {
        method: 'GET',
        path: row,
        description: `Get one ${label} by its record id (15 or 18 characters); query: fields, a comma-separated list.`,
      },
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info_post.htm
      create: {
        method: 'POST',
        path: `/sobjects/${object}`,
        description: `Create a ${label} (body: field names and values, e.g. {${createExample}}); the answer has the new id.`,
      },
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_patch.htm
      update: {
        method: 'PATCH',
        path: row,
        description: `Update a ${label}'s fields by record id (body: the fields to change); answers 204 with no body.`,
      },
    },
  }
}

export const SALESFORCE_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm
    account: sobject('Account', 'account', ['Id', 'Name', 'Type', 'Industry', 'Website', 'Phone', 'LastModifiedDate'],
      '"Name": "Acme"'),
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
    contact: sobject('Contact', 'contact', ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'AccountId', 'LastModifiedDate'],
      '"LastName": "Doe", "Email": "jo@example.com", "AccountId": ...'),
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
    opportunity: sobject('Opportunity', 'opportunity', ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'AccountId', 'LastModifiedDate'],
      '"Name": ..., "StageName": "Prospecting", "CloseDate": "2026-12-31"'),
  },
}
