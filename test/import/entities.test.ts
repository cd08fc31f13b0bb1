/**
 * SPEC 12: operations grouped by first tag (slugified; untagged by first path segment), one
 * action each named from operationId in snake_case (else method + path), unique within the
 * entity, path parameters as `{{ params.<name> }}`; paths the data plane refuses are skipped.
 */
import t from 'tap'
import { snakeCase, UniqueNames } from '../../src/import/names.js'
import { requiredParams } from '../../src/proxy/action-params.js'
import { importAndLoad, op, openapi30, writeDocument } from './document.js'

t.test('snake_case names', async (t) => {
  const cases: [string, string][] = [
    ['listPetsByOwner', 'list_pets_by_owner'],
    ['repos/list-for-org', 'repos_list_for_org'],
    ['HTTPServerV2', 'http_server_v2'],
    ['get /pets/{petId}', 'get_pets_pet_id'],
    ['oauth2Token', 'oauth2_token'],
    ['  --Already_snake--  ', 'already_snake'],
    ['Ünïcode ✓', 'unicode'],
  ]
  for (const [input, expected] of cases) t.equal(snakeCase(input), expected, input)
  const names = new UniqueNames()
  t.same(['a', 'a', 'a', 'a_2'].map((n) => names.claim(n)), ['a', 'a_2', 'a_3', 'a_2_2'])
  const long = 'x'.repeat(63)
  const longNames = new UniqueNames([long])
  t.equal(longNames.claim(long), `${'x'.repeat(61)}_2`, 'a suffix stays within 63 characters')
})

t.test('tags, untagged operations, names, collisions and parameters', async (t) => {
  const file = await writeDocument(t, openapi30({}, {
    '/pets': {
      get: op({ operationId: 'listPets', tags: ['Pet Store', 'other'], summary: 'List   all\npets' }),
      post: op({ operationId: 'list_pets', tags: ['pet-store'] }),
    },
    '/pets/{petId}/owners/{owner-id}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }, { name: 'owner-id', in: 'path', required: true, schema: { type: 'string' } }],
      get: op({ tags: ['Pet Store'], description: 'First paragraph.\n\nSecond paragraph.' }),
    },
    '/v2/orders': { get: op({ operationId: 'getOrders' }), delete: op() },
    '/{tenant}/items': {
      parameters: [{ name: 'tenant', in: 'path', required: true, schema: { type: 'string' } }],
      get: op({ operationId: 'items' }),
    },
    '/': { get: op({ operationId: 'root' }) },
    '/files/a b': { get: op({ operationId: 'spaced', tags: ['files'] }) },
    '/files/../up': { get: op({ operationId: 'climb', tags: ['files'] }) },
    '/trace': { trace: op({ operationId: 'traceIt', tags: ['files'] }) },
  }))
  const { connector, warnings, loaded } = await importAndLoad(file)
  t.same(connector.capabilities!.entities, {
    pet_store: {
      actions: {
        list_pets: { method: 'GET', path: '/pets', description: 'List all pets' },
        list_pets_2: { method: 'POST', path: '/pets' },
        get_pets_pet_id_owners_owner_id: { method: 'GET', path: "/pets/{{ params.petId }}/owners/{{ params['owner-id'] }}", description: 'First paragraph.' },
      },
    },
    v2: { actions: { get_orders: { method: 'GET', path: '/v2/orders' }, delete_v2_orders: { method: 'DELETE', path: '/v2/orders' } } },
    items: { actions: { items: { method: 'GET', path: '/{{ params.tenant }}/items' } } },
    root: { actions: { root: { method: 'GET', path: '/' } } },
  })
  for (const w of ['"/files/a b"', '"/files/../up"', 'TRACE']) t.ok(warnings.some((x) => x.includes(w)), `skipped with a warning: ${w}`)
  t.notOk(connector.capabilities!.entities!.files, 'an entity with no usable operation does not appear')

  const action = loaded.capabilities!.entities!.pet_store!.actions!.get_pets_pet_id_owners_owner_id!
  t.same(requiredParams(action.path), ['owner-id', 'petId'], 'the data plane requires both parameters')
  t.notOk(connector.capabilities!.entities!.pet_store!.fields, 'fields are left out')
})
