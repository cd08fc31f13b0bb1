/**
 * SPEC 5, as a property: templates are the operator's, compiled once at load; what a caller
 * sends is data. Whatever template syntax a caller puts into a value (`{{ get_secret('x') }}`,
 * `{% ... %}`, `{# ... #}`), in a user JWT claim, a query value, a header or an action's
 * params, query and body, the upstream receives it literally, byte for byte where it is
 * forwarded or rendered (a claim rendered into a header by `{{ user.name }}` arrives as the text
 * of the claim), and no secret value shows up upstream (other than the injected credential,
 * where auth puts it) or in any log line.
 *
 * Config values are not in scope: the YAML is written by the operator.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawRequest } from '../helpers/raw-http.js'
import { recordingUpstream, type Received } from '../helpers/upstream.js'

const SECRETS = {
  // The connection's own credential: fetched on every request, so a caller template that
  // managed to call get_secret('x') would find it.
  x: 'sx-TEMPLATE-PROBE-4f9d2c71',
  session_key: 'sk-TEMPLATE-PROBE-hs256-0123456789abcdef',
}

/** Template syntax and its neighbours, in the forms a caller might try. */
const templatePiece = fc.constantFrom(
  "{{ get_secret('x') }}", '{{get_secret("x")}}', "{{ get_secret('session_key') }}", "{%- set s = get_secret('x') -%}{{ s }}",
  "{% if true %}T{% endif %}", '{% raw %}', '{% endraw %}', '{# comment #}', '{#', '#}', '{{ 7*7 }}', "{{ '7'*7 }}",
  '{{ user.name }}', '{{ connection.credentials }}', '{{ caller.id }}', '{{ request.query }}', '{{ uuid() }}',
  "{{ range(3) | join(',') }}", '{%', '%}', '{{', '}}', '{', '}', '${x}', '$${x}', "'", '"', '\\', '|', 'a', ' ', '=', '&', '+',
  '%7B%7B', '%25', '%', ';', '#', '?', '/', '<', '>',
)

/** Printable ASCII with template syntax inside; wrapped so it has no edge whitespace (HTTP trims it). */
const templateValue = fc.array(templatePiece, { minLength: 1, maxLength: 6 }).map((pieces) => `<${pieces.join('')}>`)

/** For a JSON body, anything JSON can carry may come along. */
const bodyValue = fc.tuple(templateValue, fc.string({ maxLength: 8, unit: 'binary' })).map(([a, b]) => a + b)

/** Action params: template syntax (refused: params are plain segments) or a plain segment. */
const paramValue = fc.oneof(templateValue, fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/))

const SEGMENT = /^[A-Za-z0-9._~-]+$/

function queryPairs (url: string): Array<[string, string]> {
  const q = url.indexOf('?')
  if (q === -1) return []
  return url.slice(q + 1).split('&').map((raw) => {
    const eq = raw.indexOf('=')
    return [raw.slice(0, eq), raw.slice(eq + 1)]
  })
}

/** The probe secret appears only as the injected bearer token, nowhere else in the request. */
function assertSecretsOnlyWhereAuthPutsThem (seen: Received): void {
  if (seen.headers.authorization !== `Bearer ${SECRETS.x}`) throw new Error('the injected credential is not the bearer token')
  const elsewhere = [seen.url, seen.body.toString('latin1')]
  for (let i = 0; i + 1 < seen.rawHeaders.length; i += 2) {
    if (seen.rawHeaders[i]!.toLowerCase() !== 'authorization') elsewhere.push(seen.rawHeaders[i]!, seen.rawHeaders[i + 1]!)
  }
  for (const text of elsewhere) {
    for (const secret of [SECRETS.x, SECRETS.session_key, encodeURIComponent(SECRETS.x)]) {
      if (text.includes(secret)) throw new Error(`a secret value reached the upstream outside the auth header: ${text.slice(0, 80)}`)
    }
  }
}

t.test('caller-controlled values reach the upstream literally and never render a secret', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, log_level: trace }
callers:
  jwt:
    secret: "{{ get_secret('session_key') }}"
    audience: latchkey
connectors:
  api:
    base_url: ${upstream.url}/base
    headers:
      X-User: "{{ user.name }}"
      X-Q: "{{ request.query.q }}"
      X-Note: { value: operator-default, overridable: true }
    query:
      uq: "{{ user.name }}"
    auth:
      methods:
        b: { type: bearer, token: "{{ get_secret('x') }}" }
    capabilities:
      entities:
        item:
          actions:
            put: { method: POST, path: "/items/{{ params.id }}" }
connections:
  c: { connector: api, access: { users: true } }
`, { secrets: SECRETS })
  const key = new TextEncoder().encode(SECRETS.session_key)
  const userToken = (name: string) => new SignJWT({ sub: 'user-1', name }).setProtectedHeader({ alg: 'HS256' })
    .setAudience('latchkey').setExpirationTime('10m').sign(key)

  t.test('/proxy: claim, query value and header value', async (t) => {
    await fc.assert(fc.asyncProperty(templateValue, templateValue, templateValue, async (claim, header, query) => {
      const before = upstream.received.length
      const res = await rawRequest(lk.url, {
        path: `/proxy/c/v1/items?q=${encodeURIComponent(query)}`,
        headers: { authorization: `Bearer ${await userToken(claim)}`, 'x-note': header, 'x-caller': header },
      })
      if (res.status !== 200) throw new Error(`answered ${res.status} ${res.text.slice(0, 200)}`)
      if (upstream.received.length !== before + 1) throw new Error('not exactly one upstream request')
      const seen = upstream.last()
      if (seen.headers['x-user'] !== claim) throw new Error(`X-User (rendered from the claim) is ${JSON.stringify(seen.headers['x-user'])}`)
      if (seen.headers['x-q'] !== query) throw new Error(`X-Q (rendered from the query) is ${JSON.stringify(seen.headers['x-q'])}`)
      if (seen.headers['x-note'] !== header) throw new Error(`the caller's X-Note is ${JSON.stringify(seen.headers['x-note'])}`)
      if (seen.headers['x-caller'] !== header) throw new Error(`the caller's X-Caller is ${JSON.stringify(seen.headers['x-caller'])}`)
      const pairs = queryPairs(seen.url)
      // The caller's pair exactly as sent; the connector's, rendered from the claim, encoded by latchkey.
      if (pairs[0]?.[0] !== 'q' || pairs[0][1] !== encodeURIComponent(query)) throw new Error(`caller query forwarded as ${seen.url}`)
      const uq = pairs.find(([k]) => k === 'uq')
      if (uq === undefined || decodeURIComponent(uq[1]) !== claim) throw new Error(`uq (rendered from the claim) in ${seen.url}`)
      assertSecretsOnlyWhereAuthPutsThem(seen)
    }), { numRuns: 150, seed: 0x7b7b7d7d })
    t.pass('150 requests, every value literal upstream')
  })

  t.test('/actions: params, query and body', async (t) => {
    const counts = { refused: 0, forwarded: 0 }
    await fc.assert(fc.asyncProperty(templateValue, paramValue, templateValue, bodyValue, async (claim, id, query, note) => {
      const before = upstream.received.length
      const envelope = JSON.stringify({ params: { id }, query: { q: query }, body: { note } })
      const res = await rawRequest(lk.url, {
        method: 'POST',
        path: '/actions/c/item/put',
        headers: { authorization: `Bearer ${await userToken(claim)}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(envelope) },
        body: envelope,
      })
      if (!SEGMENT.test(id) || id === '..') {
        // Params are single plain segments: template syntax is refused, never rendered.
        if (res.status !== 400 || errorCode(res.text) !== 'invalid_request') throw new Error(`param ${JSON.stringify(id)} answered ${res.status} ${res.text.slice(0, 200)}`)
        if (upstream.received.length !== before) throw new Error('a refused action reached the upstream')
        counts.refused++
        return
      }
      if (res.status !== 200) throw new Error(`answered ${res.status} ${res.text.slice(0, 200)}`)
      if (upstream.received.length !== before + 1) throw new Error('not exactly one upstream request')
      counts.forwarded++
      const seen = upstream.last()
      const q = seen.url.indexOf('?')
      if (seen.url.slice(0, q) !== `/base/items/${id}`) throw new Error(`action path forwarded as ${seen.url}`)
      const pairs = queryPairs(seen.url)
      if (pairs[0]?.[0] !== 'q' || decodeURIComponent(pairs[0][1]) !== query) throw new Error(`action query forwarded as ${seen.url}`)
      if (seen.headers['x-q'] !== query) throw new Error(`X-Q (rendered from the action query) is ${JSON.stringify(seen.headers['x-q'])}`)
      if (seen.headers['x-user'] !== claim) throw new Error(`X-User (rendered from the claim) is ${JSON.stringify(seen.headers['x-user'])}`)
      if (!seen.body.equals(Buffer.from(JSON.stringify({ note }), 'utf8'))) throw new Error(`body forwarded as ${seen.body.toString('utf8').slice(0, 200)}`)
      assertSecretsOnlyWhereAuthPutsThem(seen)
    }), { numRuns: 150, seed: 0x7b25257d })
    t.ok(counts.refused > 20, `${counts.refused} template params refused with invalid_request`)
    t.ok(counts.forwarded > 20, `${counts.forwarded} actions forwarded with their query and body literal`)
  })

  t.test('no secret value in any log line', async (t) => {
    await sleep(250) // log lines are flushed at most 100 ms after they are written
    t.ok(lk.logs.length >= 300, `${lk.logs.length} log lines at trace level`)
    for (const secret of Object.values(SECRETS)) {
      t.notOk(lk.logs.some((line) => line.includes(secret)), `${secret.slice(0, 3)}… never logged`)
    }
  })
})
