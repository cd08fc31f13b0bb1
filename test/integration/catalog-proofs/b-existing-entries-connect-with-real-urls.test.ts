/**
 * The oauth2 methods of older catalog entries (linear, airtable, dropbox, box, clickup, discord,
 * typeform, zendesk), with their real URLs, against provider-shaped fakes
 * (test/helpers/provider-shapes-b.ts, each citing its documentation): authorize redirect, exact
 * token request, the provider's token answer, the connector test, one proxied call. One gateway
 * process serves all of them.
 */
import t from 'tap'
import { fakesFor, proveOAuth, ZENDESK_SUBDOMAIN, type OAuthProof } from '../../helpers/provider-shapes-b.js'
import { startProviderHarness } from '../../helpers/provider-hosts.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const ZENDESK = `https://${ZENDESK_SUBDOMAIN}.zendesk.com`

const PROOFS: OAuthProof[] = [
  {
    slug: 'linear',
    auth: 'oauth',
    authorize: 'https://linear.app/oauth/authorize',
    scope: 'read,write',
    pkce: true,
    token: 'https://api.linear.app/oauth/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    call: {
      route: '/graphql',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { id name } }"}' },
      url: 'https://api.linear.app/graphql',
      headers: bearer,
    },
  },
  {
    slug: 'airtable',
    auth: 'oauth',
    authorize: 'https://airtable.com/oauth2/v1/authorize',
    scope: 'data.records:read data.records:write schema.bases:read',
    pkce: true,
    token: 'https://airtable.com/oauth2/v1/token',
    format: 'form',
    clientAuth: 'basic',
    config: {},
    test: 'https://api.airtable.com/v0/meta/whoami',
    call: { route: '/appHyrBeUDxyxNqe/tblTasks?maxRecords=3', url: 'https://api.airtable.com/v0/appHyrBeUDxyxNqe/tblTasks?maxRecords=3', headers: bearer },
  },
  {
    slug: 'dropbox',
    auth: 'oauth',
    authorize: 'https://www.dropbox.com/oauth2/authorize',
    scope: 'account_info.read files.metadata.read files.content.read',
    pkce: true,
    authorizeExtra: [['token_access_type', 'offline']],
    token: 'https://api.dropboxapi.com/oauth2/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.dropboxapi.com/2/users/get_current_account',
    call: {
      route: '/files/list_folder',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"path":""}' },
      url: 'https://api.dropboxapi.com/2/files/list_folder',
      headers: bearer,
    },
  },
  {
    slug: 'box',
    auth: 'oauth',
    authorize: 'https://account.box.com/api/oauth2/authorize',
    pkce: false,
    token: 'https://api.box.com/oauth2/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.box.com/2.0/users/me',
    call: { route: '/folders/0/items', url: 'https://api.box.com/2.0/folders/0/items', headers: bearer },
  },
  {
    slug: 'clickup',
    auth: 'oauth',
    authorize: 'https://app.clickup.com/api',
    pkce: false,
    token: 'https://api.clickup.com/api/v2/oauth/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.clickup.com/api/v2/user',
    call: { route: '/team', url: 'https://api.clickup.com/api/v2/team', headers: bearer },
  },
  {
    slug: 'discord',
    auth: 'oauth',
    authorize: 'https://discord.com/oauth2/authorize',
    scope: 'identify guilds',
    pkce: false,
    token: 'https://discord.com/api/oauth2/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://discord.com/api/v10/users/@me',
    call: { route: '/users/@me/guilds', url: 'https://discord.com/api/v10/users/@me/guilds', headers: bearer },
  },
  {
    slug: 'typeform',
    auth: 'oauth',
    authorize: 'https://api.typeform.com/oauth/authorize',
    scope: 'offline accounts:read forms:read responses:read',
    pkce: false,
    token: 'https://api.typeform.com/oauth/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.typeform.com/me',
    call: { route: '/forms?page_size=10', url: 'https://api.typeform.com/forms?page_size=10', headers: bearer },
  },
  {
    slug: 'zendesk',
    auth: 'oauth',
    values: { subdomain: ZENDESK_SUBDOMAIN },
    authorize: `${ZENDESK}/oauth/authorizations/new`,
    scope: 'read write',
    pkce: true,
    token: `${ZENDESK}/oauth/tokens`,
    format: 'form',
    clientAuth: 'body',
    tokenExtra: [['expires_in', '1800']],
    config: { subdomain: ZENDESK_SUBDOMAIN },
    test: `${ZENDESK}/api/v2/users/me.json`,
    call: { route: '/tickets.json?per_page=10', url: `${ZENDESK}/api/v2/tickets.json?per_page=10`, headers: bearer },
  },
]

t.test('older catalog entries connect with their real URLs', async (t) => {
  const fakes = fakesFor(PROOFS.map((p) => p.slug))
  const h = await startProviderHarness(t, { fakes: [...fakes.values()], slugs: [...fakes.keys()] })
  for (const proof of PROOFS) await t.test(proof.slug, (t) => proveOAuth(t, h, fakes.get(proof.slug)!, proof))
})
