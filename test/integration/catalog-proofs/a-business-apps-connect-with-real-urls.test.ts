/**
 * asana, zoom, intercom, pipedrive, mailchimp, stripe, openai and sendgrid connect with their real
 * URLs against provider-shaped fakes (one harness), every auth method. OAuth: the authorize
 * redirect, the exact token request, the stored token, metadata and post_connect (Pipedrive's
 * api_domain, Mailchimp's data centre), the connector test, one proxied call. Intercom in its EU
 * region (typed on the form) and, with an access token, in the US one. Keys and tokens: the
 * connect form, the connector test and one proxied call with the credential in its place.
 */
import t, { type Test } from 'tap'
import { assertNoSecrets } from '../../helpers/gateway.js'
import { providerFake } from '../../helpers/provider-fakes.js'
import { startProviderHarness } from '../../helpers/provider-hosts.js'
import {
  ASANA_PAT, basicPair, INTERCOM_TOKEN, MAILCHIMP_DC, MAILCHIMP_KEY, OPENAI_KEY, PIPEDRIVE_API_TOKEN, PIPEDRIVE_COMPANY, PIPEDRIVE_OAUTH_DOMAIN,
  proveForm, proveOAuth, secretsOf, SENDGRID_KEY, SHAPES_A, STRIPE_KEY,
} from '../../helpers/provider-shapes-a.js'

const SLUGS = ['asana', 'zoom', 'intercom', 'pipedrive', 'mailchimp', 'stripe', 'openai', 'sendgrid']
const fakes = Object.fromEntries(SLUGS.map((slug) => [slug, providerFake(SHAPES_A[slug]!)]))
const fake = (slug: string) => fakes[slug]!
const bearer = (t: Test, token: string) => (req: { headers: Record<string, string> }) => t.equal(req.headers.authorization, `Bearer ${token}`)
const MAILCHIMP = `https://${MAILCHIMP_DC}.api.mailchimp.com/3.0`

t.test('business apps connect with their real URLs, every auth method', async (t) => {
  const h = await startProviderHarness(t, { fakes: Object.values(fakes), slugs: SLUGS })
  const pages: string[] = []

  t.test('asana oauth', async (t) => {
    await proveOAuth(t, h, fake('asana'), {
      slug: 'asana', connection: 'asana-oauth', authorize: 'https://app.asana.com/-/oauth_authorize',
      scope: 'users:read workspaces:read projects:read tasks:read tasks:write', pkce: true,
      token: 'https://app.asana.com/-/oauth_token', format: 'form', clientAuth: 'body', test: 'https://app.asana.com/api/1.0/users/me',
      call: { route: '/tasks/1204?opt_fields=name', url: 'https://app.asana.com/api/1.0/tasks/1204?opt_fields=name' },
    })
  })
  t.test('asana personal access token', async (t) => {
    pages.push(await proveForm(t, h, fake('asana'), {
      slug: 'asana', connection: 'asana-pat', auth: 'token', values: { token: ASANA_PAT }, config: {}, test: 'https://app.asana.com/api/1.0/users/me',
      call: { route: '/tasks/1204', url: 'https://app.asana.com/api/1.0/tasks/1204', check: bearer(t, ASANA_PAT) },
    }))
  })

  t.test('zoom oauth', async (t) => {
    await proveOAuth(t, h, fake('zoom'), {
      slug: 'zoom', connection: 'zoom-oauth', authorize: 'https://zoom.us/oauth/authorize', scope: null, pkce: true,
      token: 'https://zoom.us/oauth/token', format: 'form', clientAuth: 'basic', test: 'https://api.zoom.us/v2/users/me',
      call: { route: '/users/me/meetings?type=upcoming', url: 'https://api.zoom.us/v2/users/me/meetings?type=upcoming' },
    })
  })

  t.test('intercom oauth, EU region', async (t) => {
    await proveOAuth(t, h, fake('intercom'), {
      slug: 'intercom', connection: 'intercom-eu', values: { region: 'eu' }, authorize: 'https://app.eu.intercom.com/oauth', scope: null, pkce: false,
      token: 'https://api.eu.intercom.io/auth/eagle/token', format: 'form', clientAuth: 'body', config: { region: 'eu' }, test: 'https://api.eu.intercom.io/me',
      call: { route: '/contacts?per_page=10', url: 'https://api.eu.intercom.io/contacts?per_page=10' },
    })
    t.equal(fake('intercom').apiRequests.at(-1)!.headers['intercom-version'], '2.14', 'the API version header')
  })
  t.test('intercom access token, US region (no region label in the host)', async (t) => {
    pages.push(await proveForm(t, h, fake('intercom'), {
      slug: 'intercom', connection: 'intercom-us', auth: 'token', values: { token: INTERCOM_TOKEN }, config: {}, test: 'https://api.intercom.io/me',
      call: { route: '/contacts', url: 'https://api.intercom.io/contacts', check: bearer(t, INTERCOM_TOKEN) },
    }))
  })

  t.test('pipedrive oauth (api_domain from the token answer)', async (t) => {
    const api = `https://${PIPEDRIVE_OAUTH_DOMAIN}.pipedrive.com/api`
    await proveOAuth(t, h, fake('pipedrive'), {
      slug: 'pipedrive', connection: 'pipedrive-oauth', authorize: 'https://oauth.pipedrive.com/oauth/authorize', scope: null, pkce: false,
      token: 'https://oauth.pipedrive.com/oauth/token', format: 'form', clientAuth: 'basic',
      config: { api_domain: `https://${PIPEDRIVE_OAUTH_DOMAIN}.pipedrive.com` }, test: `${api}/v1/users/me`,
      call: { route: '/v2/deals?limit=10', url: `${api}/v2/deals?limit=10` },
    })
  })
  t.test('pipedrive API token (api_token query parameter)', async (t) => {
    const api = `https://${PIPEDRIVE_COMPANY}.pipedrive.com/api`
    pages.push(await proveForm(t, h, fake('pipedrive'), {
      slug: 'pipedrive', connection: 'pipedrive-token', auth: 'token', values: { company_domain: PIPEDRIVE_COMPANY, api_token: PIPEDRIVE_API_TOKEN },
      config: { company_domain: PIPEDRIVE_COMPANY }, test: `${api}/v1/users/me?api_token=${PIPEDRIVE_API_TOKEN}`,
      call: { route: '/v2/deals', url: `${api}/v2/deals?api_token=${PIPEDRIVE_API_TOKEN}`, check: (req) => t.equal(req.headers.authorization, undefined) },
    }))
  })

  t.test('mailchimp oauth (data centre from the metadata endpoint)', async (t) => {
    await proveOAuth(t, h, fake('mailchimp'), {
      slug: 'mailchimp', connection: 'mailchimp-oauth', authorize: 'https://login.mailchimp.com/oauth2/authorize', scope: null, pkce: false,
      token: 'https://login.mailchimp.com/oauth2/token', format: 'form', clientAuth: 'body', config: { dc: MAILCHIMP_DC },
      postConnect: 'https://login.mailchimp.com/oauth2/metadata', test: `${MAILCHIMP}/ping`,
      call: { route: '/lists?count=10', url: `${MAILCHIMP}/lists?count=10` },
    })
    t.same(fake('mailchimp').tokenAnswers.at(-1)?.expires_in, 0, 'a token that does not expire (expires_in: 0) is used, not refreshed')
  })
  t.test('mailchimp API key (Basic password, data centre typed)', async (t) => {
    pages.push(await proveForm(t, h, fake('mailchimp'), {
      slug: 'mailchimp', connection: 'mailchimp-key', auth: 'key', values: { dc: MAILCHIMP_DC, api_key: MAILCHIMP_KEY }, config: { dc: MAILCHIMP_DC }, test: `${MAILCHIMP}/ping`,
      call: { route: '/lists', url: `${MAILCHIMP}/lists`, check: (req) => t.equal(basicPair(req), `latchkey:${MAILCHIMP_KEY}`) },
    }))
  })

  t.test('stripe secret key', async (t) => {
    pages.push(await proveForm(t, h, fake('stripe'), {
      slug: 'stripe', connection: 'stripe-key', auth: 'key', values: { api_key: STRIPE_KEY }, config: {}, test: 'https://api.stripe.com/v1/balance',
      call: { route: '/v1/customers?limit=3', url: 'https://api.stripe.com/v1/customers?limit=3', check: bearer(t, STRIPE_KEY) },
    }))
  })
  t.test('openai API key', async (t) => {
    pages.push(await proveForm(t, h, fake('openai'), {
      slug: 'openai', connection: 'openai-key', auth: 'key', values: { api_key: OPENAI_KEY }, config: {}, test: 'https://api.openai.com/v1/models',
      call: { route: '/v1/models', url: 'https://api.openai.com/v1/models', check: bearer(t, OPENAI_KEY) },
    }))
  })
  t.test('sendgrid API key', async (t) => {
    pages.push(await proveForm(t, h, fake('sendgrid'), {
      slug: 'sendgrid', connection: 'sendgrid-key', auth: 'key', values: { api_key: SENDGRID_KEY }, config: {}, test: 'https://api.sendgrid.com/v3/scopes',
      call: { route: '/v3/marketing/lists', url: 'https://api.sendgrid.com/v3/marketing/lists', check: bearer(t, SENDGRID_KEY) },
    }))
  })

  t.test('no secret in the gateway\'s logs or pages', async (t) => {
    assertNoSecrets(t, [...h.logs, h.stderr(), ...pages], secretsOf(Object.values(fakes)))
  })
})
