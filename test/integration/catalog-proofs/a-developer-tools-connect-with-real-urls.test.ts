/**
 * github, gitlab, bitbucket, confluence, trello and twilio connect with their real URLs against
 * provider-shaped fakes (one harness): every auth method of each entry. OAuth methods: the
 * authorize redirect, the exact token request, the stored token, post_connect (Confluence's
 * cloud id), the connector test and one proxied call. Token, key and OAuth 1.0a methods: the
 * connect form, the connector test and one proxied call with the credential where the provider
 * reads it (Basic, Bearer, Trello's key and token query parameters or an HMAC-SHA1 signature).
 */
import t from 'tap'
import { assertNoSecrets } from '../../helpers/gateway.js'
import { providerFake } from '../../helpers/provider-fakes.js'
import { startProviderHarness } from '../../helpers/provider-hosts.js'
import {
  basicPair, BITBUCKET_ACCESS_TOKEN, connectWithForm, BITBUCKET_API_TOKEN, BITBUCKET_EMAIL, CONFLUENCE_API_TOKEN, CONFLUENCE_CLOUD_ID, CONFLUENCE_EMAIL,
  CONFLUENCE_SITE, GITHUB_PAT, GITLAB_PAT, oauthParams, proveForm, proveOAuth, secretsOf, SHAPES_A, TRELLO_KEY, TRELLO_SECRET, TRELLO_TOKEN,
  TRELLO_TOKEN_SECRET, TWILIO_AUTH_TOKEN, TWILIO_KEY_SECRET, TWILIO_KEY_SID, TWILIO_SID, verifyOAuth1,
} from '../../helpers/provider-shapes-a.js'

const SLUGS = ['github', 'gitlab', 'bitbucket', 'confluence', 'trello', 'twilio']
const fakes = Object.fromEntries(SLUGS.map((slug) => [slug, providerFake(SHAPES_A[slug]!)]))
const fake = (slug: string) => fakes[slug]!
const CONFLUENCE_API = `https://api.atlassian.com/ex/confluence/${CONFLUENCE_CLOUD_ID}/wiki`
const TWILIO = `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_SID}`

t.test('developer tools connect with their real URLs, every auth method', async (t) => {
  const h = await startProviderHarness(t, { fakes: Object.values(fakes), slugs: SLUGS })
  const pages: string[] = []

  t.test('github oauth', async (t) => {
    await proveOAuth(t, h, fake('github'), {
      slug: 'github', connection: 'github-oauth', authorize: 'https://github.com/login/oauth/authorize', scope: 'repo read:user', pkce: true,
      token: 'https://github.com/login/oauth/access_token', format: 'form', clientAuth: 'body', test: 'https://api.github.com/user',
      call: { route: '/user/repos?per_page=5', url: 'https://api.github.com/user/repos?per_page=5' },
    })
    t.equal(fake('github').tokenRequests.at(-1)!.headers.accept, 'application/json', 'asked for JSON: GitHub answers form-encoded otherwise')
    const call = fake('github').apiRequests.at(-1)!
    t.equal(call.headers.accept, 'application/vnd.github+json')
    t.equal(call.headers['x-github-api-version'], '2022-11-28')
  })
  t.test('github personal access token', async (t) => {
    pages.push(await proveForm(t, h, fake('github'), {
      slug: 'github', connection: 'github-pat', auth: 'token', values: { token: GITHUB_PAT }, config: {}, test: 'https://api.github.com/user',
      call: { route: '/user', url: 'https://api.github.com/user', check: (req) => t.equal(req.headers.authorization, `Bearer ${GITHUB_PAT}`) },
    }))
  })

  t.test('gitlab oauth (gitlab.com)', async (t) => {
    await proveOAuth(t, h, fake('gitlab'), {
      slug: 'gitlab', connection: 'gitlab-oauth', authorize: 'https://gitlab.com/oauth/authorize', scope: 'read_user api', pkce: true,
      token: 'https://gitlab.com/oauth/token', format: 'form', clientAuth: 'body', test: 'https://gitlab.com/api/v4/user',
      call: { route: '/projects?membership=true', url: 'https://gitlab.com/api/v4/projects?membership=true' },
    })
  })
  t.test('gitlab personal access token', async (t) => {
    pages.push(await proveForm(t, h, fake('gitlab'), {
      slug: 'gitlab', connection: 'gitlab-pat', auth: 'token', values: { token: GITLAB_PAT }, config: {}, test: 'https://gitlab.com/api/v4/user',
      call: { route: '/user', url: 'https://gitlab.com/api/v4/user', check: (req) => t.equal(req.headers.authorization, `Bearer ${GITLAB_PAT}`) },
    }))
  })
  t.test('gitlab refuses a typed host the gateway does not allow', async (t) => {
    const page = await connectWithForm(h, { connector: 'gitlab', connection: 'gitlab-elsewhere', auth: 'oauth', values: { host: 'gitlab.attacker.test' } })
    t.equal(page.status, 400, 'the form is shown again')
    t.match(page.text, /does not allow/)
    t.equal(await h.stored('gitlab-elsewhere'), undefined, 'nothing stored')
  })

  t.test('bitbucket oauth', async (t) => {
    await proveOAuth(t, h, fake('bitbucket'), {
      slug: 'bitbucket', connection: 'bitbucket-oauth', authorize: 'https://bitbucket.org/site/oauth2/authorize', scope: null, pkce: false,
      token: 'https://bitbucket.org/site/oauth2/access_token', format: 'form', clientAuth: 'basic', test: 'https://api.bitbucket.org/2.0/repositories?role=member&pagelen=1',
      call: { route: '/repositories/acme/widgets', url: 'https://api.bitbucket.org/2.0/repositories/acme/widgets' },
    })
  })
  t.test('bitbucket API token (Basic with the account email)', async (t) => {
    pages.push(await proveForm(t, h, fake('bitbucket'), {
      slug: 'bitbucket', connection: 'bitbucket-api-token', auth: 'api_token', values: { email: BITBUCKET_EMAIL, api_token: BITBUCKET_API_TOKEN }, config: { email: BITBUCKET_EMAIL },
      test: 'https://api.bitbucket.org/2.0/repositories?role=member&pagelen=1',
      call: { route: '/repositories/acme/widgets', url: 'https://api.bitbucket.org/2.0/repositories/acme/widgets', check: (req) => t.equal(basicPair(req), `${BITBUCKET_EMAIL}:${BITBUCKET_API_TOKEN}`) },
    }))
  })
  t.test('bitbucket access token (Bearer)', async (t) => {
    pages.push(await proveForm(t, h, fake('bitbucket'), {
      slug: 'bitbucket', connection: 'bitbucket-access-token', auth: 'access_token', values: { access_token: BITBUCKET_ACCESS_TOKEN }, config: {},
      test: 'https://api.bitbucket.org/2.0/repositories?role=member&pagelen=1',
      call: { route: '/repositories/acme/widgets', url: 'https://api.bitbucket.org/2.0/repositories/acme/widgets', check: (req) => t.equal(req.headers.authorization, `Bearer ${BITBUCKET_ACCESS_TOKEN}`) },
    }))
  })

  t.test('confluence oauth (3LO, cloud id from accessible-resources)', async (t) => {
    await proveOAuth(t, h, fake('confluence'), {
      slug: 'confluence', connection: 'confluence-oauth', authorize: 'https://auth.atlassian.com/authorize',
      scope: 'read:space:confluence read:page:confluence write:page:confluence offline_access', pkce: false,
      params: { audience: 'api.atlassian.com', prompt: 'consent' }, token: 'https://auth.atlassian.com/oauth/token', format: 'json', clientAuth: 'body',
      config: { cloud_id: CONFLUENCE_CLOUD_ID }, postConnect: 'https://api.atlassian.com/oauth/token/accessible-resources', test: `${CONFLUENCE_API}/api/v2/spaces?limit=1`,
      call: { route: '/api/v2/pages/65598', url: `${CONFLUENCE_API}/api/v2/pages/65598` },
    })
  })
  t.test('confluence API token (Basic against the site)', async (t) => {
    const site = `https://${CONFLUENCE_SITE}.atlassian.net/wiki`
    pages.push(await proveForm(t, h, fake('confluence'), {
      slug: 'confluence', connection: 'confluence-token', auth: 'token', values: { site: CONFLUENCE_SITE, email: CONFLUENCE_EMAIL, api_token: CONFLUENCE_API_TOKEN },
      config: { site: CONFLUENCE_SITE, email: CONFLUENCE_EMAIL }, test: `${site}/api/v2/spaces?limit=1`,
      call: { route: '/api/v2/pages/65598', url: `${site}/api/v2/pages/65598`, check: (req) => t.equal(basicPair(req), `${CONFLUENCE_EMAIL}:${CONFLUENCE_API_TOKEN}`) },
    }))
  })

  t.test('trello key and token (query parameters, replacing the caller\'s)', async (t) => {
    pages.push(await proveForm(t, h, fake('trello'), {
      slug: 'trello', connection: 'trello-key', auth: 'key', values: { api_key: TRELLO_KEY, token: TRELLO_TOKEN }, config: { api_key: TRELLO_KEY },
      test: `https://api.trello.com/1/members/me?key=${TRELLO_KEY}&token=${TRELLO_TOKEN}`,
      call: {
        route: '/members/me/boards?fields=name&token=forged',
        url: `https://api.trello.com/1/members/me/boards?fields=name&key=${TRELLO_KEY}&token=${TRELLO_TOKEN}`,
        check: (req) => t.equal(req.headers.authorization, undefined),
      },
    }))
  })
  t.test('trello OAuth 1.0a (HMAC-SHA1 signed requests)', async (t) => {
    pages.push(await proveForm(t, h, fake('trello'), {
      slug: 'trello', connection: 'trello-oauth1', auth: 'oauth1',
      values: { api_key: TRELLO_KEY, token: TRELLO_TOKEN, api_secret: TRELLO_SECRET, token_secret: TRELLO_TOKEN_SECRET }, config: { api_key: TRELLO_KEY },
      test: 'https://api.trello.com/1/members/me',
      call: {
        route: '/members/me/boards?fields=name,url',
        url: 'https://api.trello.com/1/members/me/boards?fields=name,url',
        check: (req) => {
          t.match(oauthParams(req), { oauth_consumer_key: TRELLO_KEY, oauth_token: TRELLO_TOKEN, oauth_signature_method: 'HMAC-SHA1', oauth_version: '1.0' })
          t.ok(verifyOAuth1(req, TRELLO_SECRET, TRELLO_TOKEN_SECRET), 'the signature verifies with both secrets')
        },
      },
    }))
  })

  t.test('twilio Account SID and Auth Token', async (t) => {
    pages.push(await proveForm(t, h, fake('twilio'), {
      slug: 'twilio', connection: 'twilio-auth-token', auth: 'auth_token', values: { account_sid: TWILIO_SID, auth_token: TWILIO_AUTH_TOKEN }, config: { account_sid: TWILIO_SID },
      test: `${TWILIO}.json`,
      call: { route: `/Accounts/${TWILIO_SID}/Messages.json?PageSize=20`, url: `${TWILIO}/Messages.json?PageSize=20`, check: (req) => t.equal(basicPair(req), `${TWILIO_SID}:${TWILIO_AUTH_TOKEN}`) },
    }))
  })
  t.test('twilio API key', async (t) => {
    pages.push(await proveForm(t, h, fake('twilio'), {
      slug: 'twilio', connection: 'twilio-api-key', auth: 'api_key', values: { account_sid: TWILIO_SID, api_key_sid: TWILIO_KEY_SID, api_key_secret: TWILIO_KEY_SECRET },
      config: { account_sid: TWILIO_SID, api_key_sid: TWILIO_KEY_SID }, test: `${TWILIO}.json`,
      call: { route: `/Accounts/${TWILIO_SID}/Messages.json`, url: `${TWILIO}/Messages.json`, check: (req) => t.equal(basicPair(req), `${TWILIO_KEY_SID}:${TWILIO_KEY_SECRET}`) },
    }))
  })

  t.test('no secret in the gateway\'s logs or pages', async (t) => {
    assertNoSecrets(t, [...h.logs, h.stderr(), ...pages], secretsOf(Object.values(fakes)))
  })
})
