/**
 * SPEC 12 / issue 12: GitHub's REST description (@octokit/openapi, ~13 MB of JSON, ~1,200
 * operations) imports in seconds with bounded memory, and the output loads. Limits are loose
 * (the CI machine is shared); `bench/import-openapi.mjs` measures the same import.
 */
import t from 'tap'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { importOpenApi } from '../../src/import/index.js'
import { load } from '../helpers/config.js'

const GITHUB = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json')

t.test("GitHub's REST description", async (t) => {
  const started = performance.now()
  const result = await importOpenApi(GITHUB, { slug: 'github' })
  const ms = performance.now() - started
  const rssMb = process.resourceUsage().maxRSS / 1024
  t.comment(`import: ${Math.round(ms)} ms, peak RSS ${Math.round(rssMb)} MB, ${result.yaml.length} bytes of YAML`)
  t.ok(ms < 25_000, `imported in ${Math.round(ms)} ms (< 25 s)`)
  t.ok(rssMb < 600, `peak RSS ${Math.round(rssMb)} MB (< 600 MB)`)

  const connector = load(result.yaml).connectors.get('github')!
  t.equal(connector.base_url, 'https://api.github.com')
  const entities = connector.capabilities!.entities!
  const actions = Object.values(entities).reduce((n, e) => n + Object.keys(e.actions ?? {}).length, 0)
  t.ok(actions > 1000, `${actions} actions`)
  t.same(entities.repos!.actions!.repos_get, { method: 'GET', path: '/repos/{{ params.owner }}/{{ params.repo }}', description: 'Get a repository' })
  t.same(entities.issues!.actions!.issues_create, { method: 'POST', path: '/repos/{{ params.owner }}/{{ params.repo }}/issues', description: 'Create an issue' })
  t.ok(result.yaml.length < 1_000_000, 'no schema inlined: the output is a fraction of the document')
})
