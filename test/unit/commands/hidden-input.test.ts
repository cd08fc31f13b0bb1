/**
 * `secrets set` on a terminal prompts for the value with echo off (raw mode, nothing written
 * back but the prompt), Backspace edits, Ctrl-C stores nothing; piped input is read whole.
 */
import { PassThrough } from 'node:stream'
import t from 'tap'
import { readSecretValue, type TerminalInput } from '../../../src/commands/hidden-input.js'
import { readStdinText } from '../../../src/commands/secrets.js'

function terminal (): { input: TerminalInput & PassThrough, modes: boolean[] } {
  const modes: boolean[] = []
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (mode: boolean) => { modes.push(mode) } })
  return { input, modes }
}

function screen (): { stream: PassThrough, text: () => string } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => { text += chunk.toString('utf8') })
  return { stream, text: () => text }
}

t.test('a terminal gets a prompt, no echo, and raw mode back off', async (t) => {
  const { input, modes } = terminal()
  const out = screen()
  const value = readSecretValue('github_token', input, out.stream, readStdinText)
  input.write('ghp_sEcret')
  input.write('X\u007f-value\r')
  t.equal(await value, 'ghp_sEcret-value')
  t.same(modes, [true, false], 'raw mode on while typing, off after')
  t.match(out.text(), /^value for secret github_token \(input hidden, Enter to finish\): \n$/)
  t.notMatch(out.text(), /sEcret/, 'the value is never echoed')
})

t.test('Ctrl-C cancels', async (t) => {
  const { input, modes } = terminal()
  const value = readSecretValue('x', input, screen().stream, readStdinText)
  input.write('abc\u0003')
  await t.rejects(value, { message: 'cancelled: nothing stored', exitCode: 130 })
  t.same(modes, [true, false])
})

t.test('piped input is read whole, as before', async (t) => {
  const input = new PassThrough()
  const out = screen()
  const value = readSecretValue('x', input, out.stream, readStdinText)
  input.end('line one\nline two\n')
  t.equal(await value, 'line one\nline two\n')
  t.equal(out.text(), '', 'no prompt when piped')
})
