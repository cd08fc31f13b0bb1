/**
 * Reads a request body latchkey must hold (an action's JSON envelope, a form body to sign), at
 * most `limit` bytes: beyond it, 413 payload_too_large before any upstream call. Listeners
 * rather than `for await`: leaving that loop early destroys the request, and with it the socket
 * the 413 must go out on (fastify's own body reader stops listening the same way).
 */
import type { Readable } from 'node:stream'
import { GatewayError } from '../errors.js'

export function readBoundedBody (payload: Readable, declaredLength: string | undefined, limit: number): Promise<Buffer> {
  const tooLarge = (): GatewayError => new GatewayError('payload_too_large', 'the request body exceeds body_limit')
  if (declaredLength !== undefined && Number(declaredLength) > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = (): void => {
      payload.removeListener('data', onData)
      payload.removeListener('end', onEnd)
      payload.removeListener('error', onError)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      stop()
      reject(tooLarge())
    }
    const onEnd = (): void => {
      stop()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (): void => {
      stop()
      reject(new GatewayError('invalid_request', 'the request body could not be read'))
    }
    payload.on('data', onData)
    payload.on('end', onEnd)
    payload.on('error', onError)
  })
}
