/**
 * `return_to` checks (SPEC 8): the URL's origin must equal one of
 * `server.connect.return_to_origins` exactly. Origins are compared as URL parses them, never as
 * string prefixes, so `https://app.example.com.evil.test` or `https://app.example.com@evil.test`
 * do not pass; userinfo is refused outright (it only ever serves to disguise a host).
 */

/** The normalized origin of a configured entry, or undefined for one that is not an origin. */
function configuredOrigin (entry: string): string | undefined {
  try {
    const url = new URL(entry)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
    return url.origin
  } catch {
    return undefined
  }
}

/** The exact URL to redirect to, or a reason (never echoing the value) why it is refused. */
export function checkReturnTo (value: string, origins: readonly string[]): { ok: true, url: URL } | { ok: false, reason: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { ok: false, reason: 'return_to: must be an absolute URL' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'return_to: must be an http or https URL' }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'return_to: must not contain userinfo' }
  const allowed = origins.map(configuredOrigin).filter((o): o is string => o !== undefined)
  if (!allowed.includes(url.origin)) return { ok: false, reason: 'return_to: its origin is not in server.connect.return_to_origins' }
  return { ok: true, url }
}

/** return_to with `params` added to its query, keeping what was there (and dropping a fragment). */
export function returnUrl (returnTo: string, params: Record<string, string>): string {
  const url = new URL(returnTo)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  url.hash = ''
  return url.toString()
}
