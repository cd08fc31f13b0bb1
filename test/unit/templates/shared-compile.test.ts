/**
 * The engine compiles a source once per site and label and shares the compiled code: each
 * compile() still returns a template of its own, with its own facts and output memo, so
 * templates of many connections that share a source render each connection's values.
 */
import t from 'tap'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext, NO_SECRETS } from './fixtures/context.js'

const connection = (id: string, client: string) => makeContext({ connection: { id, connector: 'cc', owner: null, config: { client_id: client }, credentials: {} } })

t.test('templates of one source render their own connection, alternating', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  const source = "{{ connection.config.client_id }}:{{ get_secret('s') }}"
  const a = engine.compile(source, 'auth')
  const b = engine.compile(source, 'auth')
  t.not(a, b, 'a template per compile')
  t.same(a.secrets, ['s'])
  t.same(b.secrets, ['s'])
  const secrets = new Map([['s', 'x']])
  for (let i = 0; i < 3; i++) {
    t.equal(a.render(connection('a', 'client-a'), secrets), 'client-a:x')
    t.equal(b.render(connection('b', 'client-b'), secrets), 'client-b:x')
  }
  t.equal(a.render(connection('a', 'client-a'), new Map([['s', 'y']])), 'client-a:y', 'the memo follows the secret values')
})

t.test('the same source at another site is checked against that site', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  engine.compile("{{ get_secret('s') }}", 'auth')
  t.throws(() => engine.compile("{{ get_secret('s') }}", 'base_url'), 'get_secret is refused in base_url even once compiled for auth')
})

t.test('a render error names the label the template was compiled with', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  const source = '{{ connection.config.nope.x }}'
  const first = engine.compile(source, 'auth', { label: 'connectors.a.auth.methods.k.value' })
  const second = engine.compile(source, 'auth', { label: 'connectors.b.auth.methods.k.value' })
  const messageOf = (template: typeof first) => {
    try {
      template.render(makeContext(), NO_SECRETS)
    } catch (err) {
      return (err as Error).message
    }
    return ''
  }
  t.match(messageOf(first), /template connectors\.a\.auth/)
  t.match(messageOf(second), /template connectors\.b\.auth/)
})
