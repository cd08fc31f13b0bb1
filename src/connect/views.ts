/**
 * The connect pages (SPEC 8): the connector's form, the error pages and the success page. Pure
 * functions of their view models; every value is escaped by `html`.
 */
import type { ResolvedConnector } from '../config/model.js'
import type { InputConfig } from '../config/schema.js'
import { browserPattern, isSecretInput } from '../connections/inputs.js'
import { html, page, type Html } from './html.js'

export interface MethodChoice {
  name: string
  type: string
  /** Whether the method can be chosen (every method can, oauth2 included). */
  available: boolean
}

export interface FormView {
  token: string
  nonce: string
  connector: ResolvedConnector
  /** Every method when the user may choose; empty when the session pins one (or there is one). */
  choices: MethodChoice[]
  /** The method whose inputs the form shows; null when none is available. */
  method: string | null
  inputs: InputConfig[]
  /** Typed values to show again (never passwords), by input name. */
  values: Record<string, string>
  /** The message next to each bad field, by input name. */
  errors: Record<string, string>
  /** A problem of the whole submit (a failed connector test). */
  banner?: string
  reconnect: boolean
}

const TYPE_LABELS: Record<string, string> = {
  api_key: 'API key',
  bearer: 'Access token',
  basic: 'Username and password',
  custom: 'Credentials',
  oauth2: 'Sign in with OAuth',
  none: 'No credentials',
}

function displayName (connector: ResolvedConnector): string {
  return connector.name ?? connector.slug
}

/** Up to two letters of the name: the icon when there is no https icon. */
function initials (name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
  const letters = words.length >= 2 ? words[0]![0]! + words[1]![0]! : (words[0] ?? '?').slice(0, 2)
  return letters.toUpperCase()
}

/** The connector's home page, from its `domain`, when that is a plain host name. */
function helpLink (connector: ResolvedConnector): string | undefined {
  const domain = connector.domain
  if (domain === undefined || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) return undefined
  return `https://${domain}/`
}

function connectorHeader (connector: ResolvedConnector, heading: string): Html {
  const name = displayName(connector)
  const icon = connector.icon_url !== undefined && /^https:\/\//i.test(connector.icon_url)
    ? html`<img src="${connector.icon_url}" alt="" width="48" height="48">`
    : html`<span class="badge" aria-hidden="true">${initials(name)}</span>`
  return html`<header>${icon}<div><h1>${heading}</h1>${connector.description === undefined ? '' : html`<p class="sub">${connector.description}</p>`}</div></header>`
}

function field (input: InputConfig, value: string, error: string | undefined): Html {
  const id = `f-${input.name}`
  const label = input.label ?? input.name
  const describedBy = [input.help === undefined ? '' : `${id}-help`, error === undefined ? '' : `${id}-error`].filter((x) => x !== '').join(' ')
  const common = html` id="${id}" name="v:${input.name}"${input.required === true ? html` required aria-required="true"` : ''}${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}${error === undefined ? '' : html` aria-invalid="true"`}`
  let control: Html
  if (input.type === 'select' || (input.options !== undefined && input.options.length > 0)) {
    const options = (input.options ?? []).map((o) => html`<option value="${o}"${o === value ? ' selected' : ''}>${o}</option>`)
    control = html`<select${common}>${input.required === true ? '' : html`<option value=""></option>`}${options}</select>`
  } else {
    const secret = isSecretInput(input)
    const type = secret ? 'password' : (input.type ?? 'text')
    const checkable = input.pattern === undefined ? undefined : browserPattern(input.pattern)
    const pattern = checkable === undefined ? '' : html` pattern="${checkable}"${input.pattern_error === undefined ? '' : html` title="${input.pattern_error}"`}`
    control = html`<input type="${type}"${common}${secret ? html` autocomplete="off" spellcheck="false"` : html` value="${value}"`}${input.placeholder === undefined ? '' : html` placeholder="${input.placeholder}"`}${pattern} maxlength="4096">`
  }
  return html`<div class="field">
<label for="${id}">${label}${input.required === true ? '' : html` <span class="req">(optional)</span>`}</label>
${control}
${input.help === undefined ? '' : html`<p class="help" id="${id}-help">${input.help}</p>`}
${error === undefined ? '' : html`<p class="error" id="${id}-error">${error}</p>`}
</div>`
}

/** The method chooser: a GET form, so switching methods works without any script. */
function chooser (view: FormView): Html {
  if (view.choices.length < 2) return html``
  const options = view.choices.map((choice) => {
    const id = `m-${choice.name}`
    const label = TYPE_LABELS[choice.type] ?? choice.type
    return html`<label for="${id}"${choice.available ? '' : html` class="off"`}><input type="radio" id="${id}" name="auth" value="${choice.name}"${choice.name === view.method ? ' checked' : ''}${choice.available ? '' : ' disabled'}><span>${choice.name} <small>${label}${choice.available ? '' : ' (not available)'}</small></span></label>`
  })
  return html`<form method="get" action="/connect/${view.token}" class="methods">
<fieldset><legend>How do you want to connect?</legend>${options}</fieldset>
<p><button type="submit" class="secondary">Use this method</button></p>
</form>`
}

export function formPage (view: FormView): string {
  const name = displayName(view.connector)
  const link = helpLink(view.connector)
  const errorCount = Object.keys(view.errors).length
  const banner = view.banner !== undefined
    ? html`<div class="banner bad" role="alert">${view.banner}</div>`
    : errorCount > 0 ? html`<div class="banner bad" role="alert">Please correct ${errorCount === 1 ? 'the field' : 'the fields'} marked below.</div>` : ''
  const form = view.method === null
    ? html`<p>This connector offers no way to connect.</p>`
    : html`<form method="post" action="/connect/${view.token}">
<input type="hidden" name="auth" value="${view.method}">
${view.inputs.map((input) => field(input, isSecretInput(input) ? '' : (view.values[input.name] ?? input.default ?? ''), view.errors[input.name]))}
<button type="submit">${view.reconnect ? 'Reconnect' : 'Connect'}</button>
</form>`
  return page({
    title: `Connect ${name}`,
    nonce: view.nonce,
    body: html`${connectorHeader(view.connector, `${view.reconnect ? 'Reconnect' : 'Connect'} ${name}`)}
${banner}
${chooser(view)}
${form}
<footer>${link === undefined ? '' : html`<a href="${link}" rel="noopener noreferrer" target="_blank">Where do I find these details? Visit ${view.connector.domain}</a><br>`}Your credentials are encrypted and never shown again.</footer>`,
  })
}

export function messagePage (options: { nonce: string, title: string, message: string, good?: boolean, connector?: ResolvedConnector }): string {
  const header = options.connector === undefined ? html`<header><h1>${options.title}</h1></header>` : connectorHeader(options.connector, options.title)
  return page({
    title: options.title,
    nonce: options.nonce,
    body: html`${header}<div class="banner ${options.good === true ? 'good' : 'bad'}" role="${options.good === true ? 'status' : 'alert'}">${options.message}</div>`,
  })
}
