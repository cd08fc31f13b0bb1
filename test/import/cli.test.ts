/**
 * `latchkey import openapi` as a process (SPEC 2, 12): the document goes to --out (atomically)
 * or stdout, warnings to stderr, and `latchkey validate` accepts the file as written. A broken
 * document exits 1 naming the file and the place, and writes nothing. The other broken
 * documents run in-process (same error path, no process each).
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { importOpenApi } from '../../src/import/index.js'
import { EXAMPLES, op, openapi30, tempDir, writeDocument } from './document.js'

const CLI = path.resolve('dist/cli.js')

async function cli (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('--out: written, warnings on stderr, and validate says ok', async (t) => {
  const dir = await tempDir(t)
  const out = path.join(dir, 'petstore.yaml')
  const imported = await cli(['import', 'openapi', path.join(EXAMPLES, '3.1/json/petstore.json'), '--slug', 'petstore', '--out', out])
  t.equal(imported.code, 0, imported.stderr)
  t.equal(imported.stdout, '', 'nothing on stdout with --out')
  t.equal(imported.stderr, 'warning: security scheme "petstore_auth": its OAuth 2.0 implicit flow skipped (latchkey has no method for it)\n')
  const text = await readFile(out, 'utf8')
  t.match(text, /^# Imported by latchkey import openapi from petstore\.json \(OpenAPI 3\.1\.0\)\n\nconnectors:\n {2}petstore:\n/)
  t.same(await readdir(dir), ['petstore.yaml'], 'no temp file left behind')

  const validated = await cli(['validate', '-c', out])
  t.same(validated, { code: 0, stdout: 'ok\n', stderr: '' }, 'latchkey validate accepts it as written')
})

t.test('a YAML syntax error: exit 1, FILE:LINE:COL, the --out file untouched', async (t) => {
  const file = await writeDocument(t, 'openapi: 3.0.0\ninfo:\n  title: x\n  version: "1"\npaths:\n  /a:\n    get:\n      responses: {200: {description: ok\n', 'broken.yaml')
  const out = path.join(path.dirname(file), 'out.yaml')
  await writeFile(out, 'previous\n')
  const r = await cli(['import', 'openapi', file, '--slug', 'x', '--out', out])
  t.equal(r.code, 1)
  t.equal(r.stdout, '')
  t.match(r.stderr, new RegExp(`^latchkey: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:1: unexpected end of the stream within a flow collection\n$`))
  t.equal(await readFile(out, 'utf8'), 'previous\n', 'nothing written')
  t.same((await readdir(path.dirname(file))).sort(), ['broken.yaml', 'out.yaml'], 'no temp file')
})

t.test('broken documents in-process: the JSON pointer or line is named', async (t) => {
  const expectError = async (doc: object | string, pattern: RegExp, name?: string) => {
    const file = await writeDocument(t, doc, name)
    await t.rejects(importOpenApi(file, { slug: 'x' }), { name: 'OpenApiImportError', message: pattern })
  }
  await expectError({ openapi: '3.0.3', info: { title: 'x' }, paths: {} }, /openapi\.json: #\/info: must have required property 'version'$/)
  await expectError(openapi30({}, { '/a': { get: op({ parameters: [{ $ref: '#/components/parameters/nope' }] }) } }),
    /openapi\.json: #\/paths\/~1a\/get\/parameters\/0: \$ref target #\/components\/parameters\/nope does not exist$/)
  await expectError('{"openapi": "3.0.3", "info": {', /openapi\.json:\d+:\d+: unexpected end of the stream/)
  await expectError({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: { '/a': { get: op({ operationId: 'same' }), post: op({ operationId: 'same' }) } } },
    /openapi\.json: Validation failed\. Duplicate operation id 'same'$/)
  await expectError({ hello: 'world' }, /openapi\.json: .*not a valid/)
  await t.rejects(importOpenApi('/nonexistent/openapi.json', { slug: 'x' }), { message: '/nonexistent/openapi.json: file not found' })
  await t.rejects(importOpenApi(path.join(EXAMPLES, '3.0/json/petstore.json'), { slug: 'Not A Slug' }), { message: /--slug "Not A Slug" must match/ })
})

t.test('external $refs: never fetched over HTTP, never read outside the document folder', async (t) => {
  const http = await writeDocument(t, openapi30({}, { '/a': { get: op({ parameters: [{ $ref: 'http://127.0.0.1:9/p.json' }] }) } }))
  await t.rejects(importOpenApi(http, { slug: 'x' }), { message: /http:\/\/127\.0\.0\.1:9\/p\.json/ })
  const outside = await writeDocument(t, openapi30({}, { '/a': { get: op({ parameters: [{ $ref: '../../../../../../etc/hostname' }] }) } }))
  await t.rejects(importOpenApi(outside, { slug: 'x' }), { message: /etc\/hostname/ })

  const dir = path.dirname(await writeDocument(t, {}, 'unused.json'))
  await writeFile(path.join(dir, 'params.json'), JSON.stringify({ limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } }))
  const main = path.join(dir, 'openapi.json')
  await writeFile(main, JSON.stringify(openapi30({}, { '/a': { get: op({ operationId: 'a', parameters: [{ $ref: 'params.json#/limit' }] }) } })))
  const ok = await importOpenApi(main, { slug: 'x' })
  t.ok(ok.connector.capabilities?.entities?.a?.actions?.a, 'a file beside the document is read')
})
