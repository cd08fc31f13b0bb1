/**
 * Google Workspace (google-calendar, google-drive, google-sheets, gmail) and Microsoft Graph
 * (microsoft-graph, sharepoint, outlook, microsoft-teams) connect with their real URLs: one
 * Google-shaped and one Microsoft-shaped OAuth server, each serving its four clients (one harness,
 * one gateway process). Each slug: the authorize redirect (host, path, scopes, PKCE, Google's
 * offline access), the exact token request, the stored token, and one proxied call as Bearer at
 * the right host and base path. Microsoft runs in a named tenant typed on the form; the Graph and
 * Teams app-only methods fetch a client-credentials token in that tenant for a proxied call.
 */
import t from 'tap'
import { assertNoSecrets } from '../../helpers/gateway.js'
import { providerFake, tokenParams } from '../../helpers/provider-fakes.js'
import { clientCredentials, proxied, startProviderHarness } from '../../helpers/provider-hosts.js'
import { MS_TENANT, proveOAuth, secretsOf, sharedHostFakes, SHAPES_A, type OAuthProof } from '../../helpers/provider-shapes-a.js'

const GOOGLE = ['google-calendar', 'google-drive', 'google-sheets', 'gmail']
const MICROSOFT = ['microsoft-graph', 'sharepoint', 'outlook', 'microsoft-teams']
/** Slug -> a route its app-only token may call. */
const APP_ROUTES: Record<string, string> = { 'microsoft-graph': '/organization?$select=id', 'microsoft-teams': '/teams?$top=1' }
const APP_ONLY = Object.keys(APP_ROUTES)
const fakes = Object.fromEntries([...GOOGLE, ...MICROSOFT].map((slug) => [slug, providerFake(SHAPES_A[slug]!)]))

const GOOGLE_AUTH = 'https://accounts.google.com/o/oauth2/v2/auth'
const google = (slug: string, scope: string, test: string | undefined, call: OAuthProof['call']): OAuthProof => ({
  slug, connection: `${slug}-1`, authorize: GOOGLE_AUTH, scope, pkce: true, params: { access_type: 'offline', prompt: 'consent' },
  token: 'https://oauth2.googleapis.com/token', format: 'form', clientAuth: 'body', ...(test === undefined ? {} : { test }), call,
})
const MS_LOGIN = `https://login.microsoftonline.com/${MS_TENANT}/oauth2/v2.0`
const GRAPH = 'https://graph.microsoft.com/v1.0'
const microsoft = (slug: string, scopes: string, test: string, call: OAuthProof['call']): OAuthProof => ({
  slug, connection: `${slug}-1`, values: { tenant: MS_TENANT }, authorize: `${MS_LOGIN}/authorize`, scope: `offline_access ${scopes}`, pkce: true,
  token: `${MS_LOGIN}/token`, format: 'form', clientAuth: 'body', config: { tenant: MS_TENANT }, test, call,
})

const PROOFS: OAuthProof[] = [
  google('google-calendar', 'https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/calendar/v3/users/me/calendarList?maxResults=1',
    { route: '/calendars/primary/events?maxResults=5', url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events?maxResults=5' }),
  google('google-drive', 'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/drive/v3/about?fields=user',
    { route: '/files?pageSize=10', url: 'https://www.googleapis.com/drive/v3/files?pageSize=10' }),
  google('google-sheets', 'https://www.googleapis.com/auth/spreadsheets', undefined,
    { route: '/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/A1:B2', url: 'https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/A1:B2' }),
  google('gmail', 'https://www.googleapis.com/auth/gmail.modify', 'https://gmail.googleapis.com/gmail/v1/users/me/profile',
    { route: '/users/me/messages?q=is%3Aunread', url: 'https://gmail.googleapis.com/gmail/v1/users/me/messages?q=is%3Aunread' }),
  microsoft('microsoft-graph', 'User.Read', `${GRAPH}/organization?$select=id`, { route: '/me', url: `${GRAPH}/me` }),
  microsoft('sharepoint', 'Sites.ReadWrite.All Files.ReadWrite.All', `${GRAPH}/sites/root`,
    { route: '/sites/root/drive/root/children', url: `${GRAPH}/sites/root/drive/root/children` }),
  microsoft('outlook', 'User.Read Mail.ReadWrite Mail.Send Calendars.ReadWrite Contacts.ReadWrite', `${GRAPH}/organization?$select=id`,
    { route: '/me/messages?$top=5', url: `${GRAPH}/me/messages?$top=5` }),
  microsoft('microsoft-teams', 'User.Read Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send Chat.ReadWrite', `${GRAPH}/organization?$select=id`,
    { route: '/teams/172b0cce-e65d-44ce-9a49-91d9f2e8493a/channels', url: `${GRAPH}/teams/172b0cce-e65d-44ce-9a49-91d9f2e8493a/channels` }),
]

t.test('Google and Microsoft catalog entries connect with their real URLs', async (t) => {
  const h = await startProviderHarness(t, {
    fakes: [sharedHostFakes(GOOGLE.map((s) => fakes[s]!)), sharedHostFakes(MICROSOFT.map((s) => fakes[s]!))],
    slugs: [...GOOGLE, ...MICROSOFT],
    // App-only connections (client credentials) are YAML connections: nothing to consent to.
    extraYaml: `connections:
${APP_ONLY.map((slug) => `  ${slug}-app: { connector: ${slug}, auth: app, config: { tenant: ${MS_TENANT} }, access: { callers: [app] } }`).join('\n')}
`,
  })
  for (const proof of PROOFS) {
    await t.test(proof.slug, (t) => proveOAuth(t, h, fakes[proof.slug]!, proof))
  }
  for (const slug of APP_ONLY) {
    await t.test(`${slug} app-only (client credentials in the tenant)`, async (t) => {
      const fake = fakes[slug]!
      const client = clientCredentials(slug)
      const res = await proxied(h, `${slug}-app`, APP_ROUTES[slug]!)
      t.equal(res.status, 200, 'proxied call answered')
      t.same(fake.refused.map((r) => r.reason), [])
      const req = fake.tokenRequests.at(-1)!
      t.equal(req.url.href, `https://login.microsoftonline.com/${MS_TENANT}/oauth2/v2.0/token`)
      t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
      t.same(tokenParams(req), [['grant_type', 'client_credentials'], ['client_id', client.id], ['client_secret', client.secret], ['scope', 'https://graph.microsoft.com/.default']])
      const call = fake.apiRequests.at(-1)!
      t.equal(call.url.href, `${GRAPH}${APP_ROUTES[slug]!}`)
      t.equal(call.headers.authorization, `Bearer ${fake.tokenAnswers.at(-1)!.access_token as string}`)
    })
  }
  t.test('no client secret or token in the gateway\'s logs', async (t) => {
    assertNoSecrets(t, [...h.logs, h.stderr()], secretsOf(Object.values(fakes)))
  })
})
