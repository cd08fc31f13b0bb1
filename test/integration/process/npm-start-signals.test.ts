/**
 * `npm start` as an operator runs it: the listening line names the gateway's pid (not npm's);
 * SIGTERM to the npm process reaches the gateway, which drains and exits 0, and npm with it;
 * SIGHUP to npm (which npm does not pass on, and dies of) leaves no orphan: the gateway stops.
 * SIGHUP to the gateway's own pid reloads.
 */
import t from 'tap'
import { npmProject, npmStart, processGone } from '../../helpers/npm-project.js'

const env = { LATCHKEY_PORT: '0', LATCHKEY_DATA: './data' }

t.test('SIGTERM to npm reaches the gateway; SIGHUP to the gateway reloads', async (t) => {
  const project = await npmProject(t)
  const run = await npmStart(t, project, env)
  t.not(run.pid, run.npm.pid, 'the listening line names the gateway, not npm')
  t.equal((await fetch(`${run.address}/healthz`)).status, 200)

  process.kill(run.pid, 'SIGHUP')
  for (let i = 0; i < 100 && !run.logs.some((l) => l.includes('"msg":"configuration reloaded"')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(run.logs.some((l) => l.includes('"msg":"configuration reloaded"')), 'kill -HUP <pid> reloads')

  run.npm.kill('SIGTERM')
  t.ok(await processGone(run.pid, 10_000), 'the gateway stopped')
  await run.exited
  t.ok(run.logs.some((l) => l.includes('"signal":"SIGTERM"') && l.includes('"msg":"shutting down"')), 'it drained on the forwarded SIGTERM')
})

t.test('SIGHUP to npm leaves no orphaned gateway', async (t) => {
  const project = await npmProject(t)
  const run = await npmStart(t, project, env)
  run.npm.kill('SIGHUP')
  await run.exited
  t.ok(await processGone(run.pid, 10_000), 'the gateway stopped when npm went away')
  t.ok(run.logs.some((l) => l.includes('the npm process that started latchkey exited')), 'and said why')
})
