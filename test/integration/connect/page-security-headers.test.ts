/**
 * SPEC 8: every connect page (form, error, success) is self-contained and sent with a strict
 * CSP (style by nonce only, no script), no-referrer, no-store and nosniff.
 */
import t, { type Test } from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

function checkHeaders (t: Test, res: Response, html: string, what: string): void {
  const csp = res.headers.get('content-security-policy') ?? ''
  const nonce = /style-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1]
  t.ok(nonce, `${what}: a style nonce`)
  t.match(csp, /^default-src 'none'; style-src 'nonce-[^']+'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/, `${what}: CSP`)
  t.ok(html.includes(`<style nonce="${nonce}">`), `${what}: the inline style carries the nonce`)
  t.equal(res.headers.get('referrer-policy'), 'no-referrer', what)
  t.equal(res.headers.get('cache-control'), 'no-store', what)
  t.equal(res.headers.get('x-content-type-options'), 'nosniff', what)
  t.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/, what)
  t.notMatch(html, /<script|<link|@import|url\(|https?:\/\/[^"]*\.(js|css|woff2?)/i, `${what}: nothing external, no script`)
}

t.test('form, error and success pages carry the security headers', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })

  const form = await lk.fetch(`/connect/${body.token}`)
  checkHeaders(t, form, await form.text(), 'form')
  const invalid = await submitForm(lk, body.token, { subdomain: 'BAD!', api_key: 'k-1a2b3c4d' })
  checkHeaders(t, invalid, await invalid.text(), 'invalid form')
  const ok = await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'k-1a2b3c4d' })
  checkHeaders(t, ok, await ok.text(), 'success')
  const used = await lk.fetch(`/connect/${body.token}`)
  checkHeaders(t, used, await used.text(), 'used')
  const unknown = await lk.fetch('/connect/nope')
  checkHeaders(t, unknown, await unknown.text(), 'unknown')
  const nonces = new Set(await Promise.all([1, 2].map(async () => (await lk.fetch('/connect/nope')).headers.get('content-security-policy'))))
  t.equal(nonces.size, 2, 'a fresh nonce per response')
})

t.test('a form larger than body_limit is a 413 page', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url, bodyLimit: '1kb' })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })
  const res = await submitForm(lk, body.token, { subdomain: 'a'.repeat(4000), api_key: 'k' })
  t.equal(res.status, 413)
  checkHeaders(t, res, await res.text(), '413')
})
