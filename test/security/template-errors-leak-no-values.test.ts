/**
 * SPEC 6.5: messages never contain secret values, tokens or rendered credentials. nunjucks and
 * JavaScript error messages quote the values they fail on (JSON.parse does, for one), so every
 * render failure must come out with a message of our own and no cause to log.
 */
import { inspect } from 'node:util'
import t from 'tap'
import { GatewayError } from '../../src/errors.js'
import { TemplateEngine, type TemplateContext } from '../../src/templates/index.js'
import { makeContext } from '../unit/templates/fixtures/context.js'

const SECRET = 'sk_live_SECRETVALUE_4242'
const PEM_LIKE = '-----BEGIN PRIVATE KEY-----\nMIIEvSECRETPEMBODYx==\n-----END PRIVATE KEY-----'
const CREDENTIAL = '{"SECRETCRED": true, "trailing'
const CLAIM = 'claim-SECRETCLAIM-77'
const QUERY = '{not json SECRETQUERY'
const MARKERS = ['SECRETVALUE', 'SECRETPEMBODY', 'SECRETCRED', 'SECRETCLAIM', 'SECRETQUERY']

const engine = new TemplateEngine({ variables: { region: 'eu' }, clock: () => 1_700_000_000_000 })
const secrets = new Map([['s', SECRET], ['pem', PEM_LIKE]])
const base = makeContext()
const context: TemplateContext = {
  ...base,
  connection: { ...base.connection, credentials: { key: CREDENTIAL } },
  user: { sub: CLAIM, org: { id: CLAIM } },
  caller: { id: 'frontend', kind: 'user' },
  request: { method: 'GET', path: '/v1', query: { q: QUERY } },
}

const failing = [
  "{{ get_secret('s') | from_json }}",
  "{{ get_secret('s') | base64_decode }}",
  "{{ connection.credentials.key | from_json }}",
  '{{ request.query.q | from_json }}',
  '{{ user.sub | from_json }}',
  "{{ jwt_encode({'sub': user.sub}, get_secret('s'), 'RS256') }}",
  "{{ jwt_encode({'sub': user.sub}, get_secret('pem'), 'ES256') }}",
  "{{ jwt_encode({'sub': user.sub}, connection.credentials.key, 'PS256') }}",
  "{{ jwt_encode({'sub': user.sub}, connection.credentials.key | from_json, 'EdDSA') }}",
  "{{ jwt_encode(get_secret('s'), 'k') }}",
  "{{ jwt_encode(user.sub, 'k') }}",
  "{{ jwt_encode({'a': 1}, 'k', get_secret('s')) }}",
  "{{ jwt_encode({'a': 1}, 'k', 'HS256', headers=get_secret('s')) }}",
  "{{ connection.config[get_secret('s')] }}",
  '{{ connection.config[user.sub] }}',
  '{{ connection.config[request.query.q] }}',
  "{{ get_variable(get_secret('s')) }}",
  '{{ get_variable(user.sub) }}',
  "{{ now(get_secret('s')) }}",
  "{{ get_secret('s') | hmac_sha256 }}",
  "{{ get_secret('s')() }}",
  '{{ user.sub() }}',
  "{{ get_secret('s').missing }}",
  '{{ user.sub | dictsort }}',
  "{{ get_secret('s') | join(',') | first | dictsort }}",
  '{{ user.org.id.nothing.deeper }}',
  "{{ {'k': get_secret('s')} | selectattr('x') | first }}",
  "{{ get_secret('absent') ~ get_secret('s') }}",
  '{{ connection.owner_missing ~ user.sub }}',
]

function leaks (err: unknown): string[] {
  const text = [
    String(err),
    (err as Error).message,
    (err as Error).stack ?? '',
    JSON.stringify(err),
    inspect(err, { depth: 10, showHidden: true }),
  ].join('\n')
  return MARKERS.filter((marker) => text.includes(marker))
}

t.test('render errors never carry secret, credential, claim or query values', async (t) => {
  for (const source of failing) {
    let caught: unknown
    try {
      engine.compile(source, 'auth').render(context, secrets)
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof GatewayError, `${source} fails with a GatewayError`)
    t.match(caught, { code: /^(template_error|secret_not_found)$/ }, source)
    t.same(leaks(caught), [], `${source}: ${(caught as Error | undefined)?.message}`)
    t.equal((caught as Error).cause, undefined, `${source}: no cause to log`)
  }
})

t.test('a missing secret names the secret only', async (t) => {
  try {
    engine.compile("{{ get_secret('s') }}{{ get_secret('missing_one') }}", 'auth').render(context, secrets)
    t.fail('should throw')
  } catch (err) {
    t.equal((err as Error).message, "secret 'missing_one' is not set: latchkey secrets set missing_one")
    t.same(leaks(err), [])
  }
})

t.test('user_required names no claim', async (t) => {
  try {
    engine.compile('{{ user.sub }}', 'auth').render({ ...context, user: undefined }, secrets)
    t.fail('should throw')
  } catch (err) {
    t.match(err, { code: 'user_required' })
    t.same(leaks(err), [])
  }
})

t.test('successful renders still produce the values', async (t) => {
  t.equal(engine.compile("{{ get_secret('s') }}|{{ user.sub }}", 'auth').render(context, secrets), `${SECRET}|${CLAIM}`)
})
