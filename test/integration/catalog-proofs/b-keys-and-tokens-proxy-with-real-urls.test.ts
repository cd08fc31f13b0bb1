/**
 * The key, token, basic and signed (OAuth 1.0a) methods of part b's catalog entries: a connection
 * holding what a user would type, then one proxied call that must reach the provider's real host
 * and base path with the credential in the provider's header, as the provider-shaped fake
 * (test/helpers/provider-shapes-b.ts) reads it. The NetSuite fake checks the HMAC-SHA256
 * signature and realm of token-based authentication itself. One gateway process serves all.
 */
import t from 'tap'
import { fakesFor, FRESHDESK_SUBDOMAIN, HTTP_HOST, keyConnectionsYaml, NETSUITE_ACCOUNT, NETSUITE_API_HOST, proveKey, SERVICENOW_HOST, SERVICENOW_INSTANCE, STATIC, ZENDESK_SUBDOMAIN, type KeyProof } from '../../helpers/provider-shapes-b.js'
import { startProviderHarness } from '../../helpers/provider-hosts.js'

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const postJson = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body })

const PROOFS: KeyProof[] = [
  // New entries
  {
    slug: 'monday', auth: 'token', credentials: { token: STATIC.monday },
    route: '/v2', init: postJson('{"query":"{ me { id name } }"}'),
    url: 'https://api.monday.com/v2', headers: { authorization: STATIC.monday, 'api-version': '2025-10' },
  },
  { slug: 'figma', auth: 'token', credentials: { token: STATIC.figma }, route: '/v1/me', url: 'https://api.figma.com/v1/me', headers: { 'x-figma-token': STATIC.figma } },
  { slug: 'attio', auth: 'token', credentials: { token: STATIC.attio }, route: '/self', url: 'https://api.attio.com/v2/self', headers: bearer(STATIC.attio) },
  { slug: 'calendly', auth: 'token', credentials: { token: STATIC.calendly }, route: '/users/me', url: 'https://api.calendly.com/users/me', headers: bearer(STATIC.calendly) },
  {
    slug: 'servicenow', auth: 'basic', config: { instance: SERVICENOW_INSTANCE, username: STATIC.servicenow.username }, credentials: { password: STATIC.servicenow.password },
    route: '/table/incident?sysparm_limit=1', url: `https://${SERVICENOW_HOST}/api/now/table/incident?sysparm_limit=1`,
    headers: { authorization: basic(STATIC.servicenow.username, STATIC.servicenow.password), accept: 'application/json' },
  },
  {
    slug: 'netsuite', auth: 'tba', config: { account_id: NETSUITE_ACCOUNT }, credentials: { ...STATIC.netsuite },
    route: '/customer?limit=5&q=companyName%20CONTAIN%20Acme', url: `https://${NETSUITE_API_HOST}/services/rest/record/v1/customer?limit=5&q=companyName%20CONTAIN%20Acme`,
    headers: {}, headerPrefixes: { authorization: 'OAuth ' },
  },
  {
    slug: 'freshdesk', auth: 'key', config: { subdomain: FRESHDESK_SUBDOMAIN }, credentials: { api_key: STATIC.freshdesk },
    route: '/tickets?per_page=5', url: `https://${FRESHDESK_SUBDOMAIN}.freshdesk.com/api/v2/tickets?per_page=5`, headers: { authorization: basic(STATIC.freshdesk, 'X') },
  },
  {
    slug: 'anthropic', auth: 'key', credentials: { api_key: STATIC.anthropic },
    route: '/v1/models?limit=1', url: 'https://api.anthropic.com/v1/models?limit=1', headers: { 'x-api-key': STATIC.anthropic, 'anthropic-version': '2023-06-01' },
  },
  // Older entries
  {
    slug: 'http', auth: 'bearer', config: { base_url: `https://${HTTP_HOST}` }, credentials: { token: STATIC.http },
    route: '/v1/status', url: `https://${HTTP_HOST}/v1/status`, headers: bearer(STATIC.http),
  },
  {
    slug: 'zendesk', auth: 'token', config: { subdomain: ZENDESK_SUBDOMAIN, email: STATIC.zendesk.email }, credentials: { api_token: STATIC.zendesk.api_token },
    route: '/users/me.json', url: `https://${ZENDESK_SUBDOMAIN}.zendesk.com/api/v2/users/me.json`, headers: { authorization: basic(`${STATIC.zendesk.email}/token`, STATIC.zendesk.api_token) },
  },
  {
    slug: 'linear', auth: 'key', credentials: { api_key: STATIC.linear },
    route: '/graphql', init: postJson('{"query":"{ viewer { id } }"}'), url: 'https://api.linear.app/graphql', headers: { authorization: STATIC.linear },
  },
  { slug: 'clickup', auth: 'token', credentials: { token: STATIC.clickup }, route: '/user', url: 'https://api.clickup.com/api/v2/user', headers: { authorization: STATIC.clickup } },
  { slug: 'discord', auth: 'bot', credentials: { bot_token: STATIC.discord }, route: '/users/@me', url: 'https://discord.com/api/v10/users/@me', headers: { authorization: `Bot ${STATIC.discord}` } },
  { slug: 'airtable', auth: 'token', credentials: { token: STATIC.airtable }, route: '/meta/whoami', url: 'https://api.airtable.com/v0/meta/whoami', headers: bearer(STATIC.airtable) },
  { slug: 'typeform', auth: 'token', credentials: { token: STATIC.typeform }, route: '/me', url: 'https://api.typeform.com/me', headers: bearer(STATIC.typeform) },
  {
    slug: 'dropbox', auth: 'token', credentials: { token: STATIC.dropbox },
    route: '/users/get_current_account', init: { method: 'POST' }, url: 'https://api.dropboxapi.com/2/users/get_current_account', headers: bearer(STATIC.dropbox),
  },
  { slug: 'box', auth: 'token', credentials: { token: STATIC.box }, route: '/users/me', url: 'https://api.box.com/2.0/users/me', headers: bearer(STATIC.box) },
  {
    slug: 'cin7-core', auth: 'key', config: { account_id: STATIC.cin7core.account_id }, credentials: { application_key: STATIC.cin7core.application_key },
    route: '/me', url: 'https://inventory.dearsystems.com/ExternalApi/v2/me',
    headers: { 'api-auth-accountid': STATIC.cin7core.account_id, 'api-auth-applicationkey': STATIC.cin7core.application_key },
  },
  {
    slug: 'cin7-omni', auth: 'basic', config: { username: STATIC.cin7omni.username }, credentials: { api_key: STATIC.cin7omni.api_key },
    route: '/v1/Branches', url: 'https://api.cin7.com/api/v1/Branches', headers: { authorization: basic(STATIC.cin7omni.username, STATIC.cin7omni.api_key) },
  },
]

t.test('key, token, basic and signed methods reach the providers\' real URLs', async (t) => {
  const fakes = fakesFor([...new Set(PROOFS.map((p) => p.slug))])
  const h = await startProviderHarness(t, { fakes: [...fakes.values()], slugs: [], extraYaml: keyConnectionsYaml(PROOFS) })
  for (const proof of PROOFS) await t.test(`${proof.slug} (${proof.auth})`, (t) => proveKey(t, h, fakes.get(proof.slug)!, proof))
})
