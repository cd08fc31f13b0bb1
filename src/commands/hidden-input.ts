/**
 * `secrets set` on a terminal: the value is typed at a prompt without echo, so it lands neither
 * on the screen nor in the shell history. Piped input is read whole, as before.
 */
import { CliError } from './cli-error.js'

export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean
  setRawMode?: (mode: boolean) => unknown
}

/** stdin as the secret's value: hidden prompt on a terminal, else everything piped in. */
export async function readSecretValue (name: string, input: TerminalInput, prompt: NodeJS.WritableStream, readAll: (stream: NodeJS.ReadableStream) => Promise<string>): Promise<string> {
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') return readAll(input)
  return readHidden(`value for secret ${name} (input hidden, Enter to finish): `, input, prompt)
}

/** One line typed in raw mode: Enter ends it, Backspace edits, Ctrl-C cancels; nothing echoed. */
export function readHidden (text: string, input: TerminalInput, prompt: NodeJS.WritableStream): Promise<string> {
  prompt.write(text)
  input.setRawMode!(true)
  input.resume()
  if ('setEncoding' in input && typeof input.setEncoding === 'function') input.setEncoding('utf8')
  let value = ''
  return new Promise<string>((resolve, reject) => {
    const finish = (err?: Error) => {
      input.removeListener('data', onData)
      input.setRawMode!(false)
      input.pause()
      prompt.write('\n')
      if (err === undefined) resolve(value)
      else reject(err)
    }
    const onData = (chunk: string | Buffer) => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        switch (ch) {
          case '\r':
          case '\n':
          case '\u0004': // Ctrl-D
            finish()
            return
          case '\u0003': // Ctrl-C
            finish(new CliError('cancelled: nothing stored', { exitCode: 130 }))
            return
          case '\u007f':
          case '\b':
            value = [...value].slice(0, -1).join('')
            break
          default:
            value += ch
        }
      }
    }
    input.on('data', onData)
  })
}
