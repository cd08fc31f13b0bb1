/**
 * The key outgoing events are signed with: `server.events.secret`, a template compiled once
 * per loaded config and rendered per delivery (a secret changed with the CLI is used at once).
 * It must render to `whsec_<base64>`; anything else fails the delivery, which is retried.
 */
import type { TemplateCompiler } from '../config/semantic.js'
import type { SecretLookup } from '../runtime/secrets.js'
import type { CompiledTemplate, TemplateContext } from '../templates/types.js'
import { standardKey } from './signing.js'

export interface EventsSettings {
  readonly url: string
  readonly secret: string
}

/** The secret is a `caller`-site template: secrets, variables and time only, no request. */
const NO_REQUEST: TemplateContext = {
  connection: { id: '', connector: '', owner: null, config: {}, credentials: {} },
  caller: { id: null, kind: 'anonymous' },
  request: { method: '', path: '', query: {} },
}

export function signingKeySource (settings: () => EventsSettings | undefined, compiler: () => TemplateCompiler, secrets: SecretLookup): () => Promise<Buffer> {
  const compiled = new WeakMap<EventsSettings, CompiledTemplate>()
  return async () => {
    const events = settings()
    if (events === undefined) throw new Error('server.events is not configured')
    let template = compiled.get(events)
    if (template === undefined) {
      template = compiler().compile(events.secret, 'caller')
      compiled.set(events, template)
    }
    let rendered: string
    try {
      rendered = template.render(NO_REQUEST, await secrets(template.secrets))
    } catch (err) {
      throw new Error(`server.events.secret did not render (${(err as { code?: string }).code ?? 'template_error'})`)
    }
    const key = standardKey(rendered, { requirePrefix: true })
    if (key === undefined) throw new Error('server.events.secret must render to whsec_<base64>')
    return key
  }
}
