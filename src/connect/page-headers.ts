/**
 * The headers of every connect page (SPEC 8): a CSP that allows only this response's inline
 * style (by nonce), https and data images, and form posts to this origin plus the session's
 * return_to origin (browsers apply form-action to the redirect that follows a submit).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply } from 'fastify'

export function newNonce (): string {
  return randomBytes(16).toString('base64')
}

/** `formTargets`: more form-action sources, such as an OAuth provider's authorize origin. */
export function contentSecurityPolicy (nonce: string, returnTo: string | null, formTargets: readonly string[] = []): string {
  const sources = ["'self'", ...(returnTo === null ? [] : [new URL(returnTo).origin]), ...formTargets]
  const formAction = [...new Set(sources)].join(' ')
  return `default-src 'none'; style-src 'nonce-${nonce}'; img-src https: data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`
}

export function sendPage (reply: FastifyReply, status: number, body: string, nonce: string, returnTo: string | null = null, formTargets: readonly string[] = []): FastifyReply {
  return reply.code(status).headers({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(nonce, returnTo, formTargets),
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  }).send(body)
}
