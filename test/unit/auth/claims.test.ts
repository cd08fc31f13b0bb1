/** SPEC 7 `jwt.claims`: string leaves are templates; top-level exp/iat/nbf that render numeric become integers. */
import t from 'tap'
import { compileClaims } from '../../../src/auth/claims.js'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext } from '../templates/fixtures/context.js'

const NOW = 1_700_000_000
const engine = new TemplateEngine({ variables: { region: 'eu' }, clock: () => NOW * 1000 + 999 })
const scope = { context: makeContext(), secrets: new Map([['aud_secret', 'aud-from-store']]), key: 'acme-weather/jwt' }

t.test('renders nested claims and converts only exp, iat and nbf', async (t) => {
  const claims = compileClaims({
    sub: '{{ caller.id }}',
    iat: '{{ now() }}',
    exp: '{{ now(300) }}',
    nbf: ' {{ now(-10) }} ',
    aud: "{{ get_secret('aud_secret') }}",
    jti: '12345',
    num: 7,
    flag: true,
    none: null,
    list: ['{{ connection.config.subdomain }}', 2],
    nested: { exp: '{{ now(1) }}', region: "{{ get_variable('region') }}" },
  }, engine)
  t.same(claims.render(scope), {
    sub: 'billing',
    iat: NOW,
    exp: NOW + 300,
    nbf: NOW - 10,
    aud: 'aud-from-store',
    jti: '12345',
    num: 7,
    flag: true,
    none: null,
    list: ['acme', 2],
    nested: { exp: String(NOW + 1), region: 'eu' },
  }, 'only top-level exp/iat/nbf become numbers; other numeric strings stay strings')
  t.equal(claims.templates.length, 9, 'every string leaf is a compiled template')
})

t.test('exp that does not render to a number stays as rendered', async (t) => {
  const claims = compileClaims({ exp: 'never', iat: '1.9', nbf: '' }, engine)
  t.same(claims.render(scope), { exp: 'never', iat: 1, nbf: '' })
})

t.test('no map: no claims', async (t) => {
  const claims = compileClaims(undefined, engine)
  t.same(claims.render(scope), {})
  t.same(claims.templates, [])
})
