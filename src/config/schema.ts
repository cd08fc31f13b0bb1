/**
 * The configuration schema: the only source of the config types (`Static<>`) and of their
 * validation (Ajv). Defaults live in `normalize.ts`; cross-references in `semantic.ts`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ID_PATTERN, SECRET_NAME_PATTERN } from './patterns.js'

const Strict = { additionalProperties: false } as const

// Scalars that stand for a unit. `description` is what validation errors print.
const Duration = Type.Union([
  Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$' }),
  Type.Number({ minimum: 0 }),
], { description: 'a duration such as 500ms, 15s, 5m, 1h or a number of seconds' })

const Size = Type.Union([
  Type.String({ pattern: '^\\s*\\d+\\s*([kKmMgG]?[bB])?\\s*$' }),
  Type.Integer({ minimum: 0 }),
], { description: 'a size such as 10mb, 512kb or a number of bytes' })

/**
 * Template fields carry `x-template: <site>`; `templates.ts` walks the schema to find every
 * template in a config, so the list of template fields lives here and nowhere else.
 */
type Site = 'auth' | 'base_url' | 'path' | 'response' | 'caller'
const TemplateAt = (site: Site) => Type.String({ description: 'a string (template)', 'x-template': site })
const Template = TemplateAt('auth')
const TemplateMap = Type.Record(Type.String(), Template)
const HttpMethod = Type.String({ pattern: '^[A-Z]+$', description: 'an upper-case HTTP method' })

/** A union of string literals with one readable description for errors. */
function literals<const T extends readonly string[]> (values: T, description: string) {
  return Type.Union(values.map((v) => Type.Literal(v as T[number])), { description })
}

/** A map whose keys are ids: a bad key is reported as such, at the key. */
function idMap<T extends TSchema> (value: T, pattern = ID_PATTERN, what = 'id') {
  return Type.Unsafe<Record<string, Static<T>>>({
    type: 'object',
    propertyNames: { type: 'string', pattern, description: `${what} (must match ${pattern})` },
    additionalProperties: value,
  })
}

/** `oneOf` keyed by `type`, so Ajv reports the errors of the matching variant only. */
function discriminated<T extends TSchema[]> (variants: [...T]) {
  return Type.Unsafe<Static<T[number]>>({
    type: 'object',
    required: ['type'],
    discriminator: { propertyName: 'type' },
    oneOf: variants,
  })
}

const Algorithm = literals([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512',
  'PS256', 'PS384', 'PS512', 'EdDSA',
] as const, 'a JWS algorithm (HS256/384/512, RS256/384/512, ES256/384/512, PS256/384/512, EdDSA)')
export type JwsAlgorithm = Static<typeof Algorithm>

const ClientAuth = Type.Union([Type.Literal('body'), Type.Literal('basic')], { description: 'body or basic' })

const AuthNone = Type.Object({ type: Type.Literal('none') }, Strict)
const AuthBasic = Type.Object({ type: Type.Literal('basic'), username: Template, password: Template }, Strict)
const AuthBearer = Type.Object({ type: Type.Literal('bearer'), token: Template }, Strict)
const AuthApiKey = Type.Object({
  type: Type.Literal('api_key'),
  key: Template,
  value: Template,
  in: Type.Optional(Type.Union([Type.Literal('header'), Type.Literal('query')], { description: 'header or query' })),
}, Strict)
const AuthCustom = Type.Object({
  type: Type.Literal('custom'),
  headers: Type.Optional(TemplateMap),
  query: Type.Optional(TemplateMap),
}, Strict)
const AuthClientCredentials = Type.Object({
  type: Type.Literal('oauth_client_credentials'),
  client_id: Template,
  client_secret: Template,
  token_url: Template,
  scope: Type.Optional(Template),
  audience: Type.Optional(Template),
  client_auth: Type.Optional(ClientAuth),
  extra_params: Type.Optional(TemplateMap),
}, Strict)
/** JSON-like claim values; every string leaf is a template. */
const ClaimMap = Type.Record(Type.String(), Type.Unknown({ 'x-template-leaves': 'auth' }))
const AuthJwt = Type.Object({
  type: Type.Literal('jwt'),
  private_key: Template,
  algorithm: Type.Optional(Algorithm),
  claims: ClaimMap,
  jwt_headers: Type.Optional(ClaimMap),
  header: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$', description: 'an HTTP header name' })),
  prefix: Type.Optional(Type.String()),
}, Strict)
const AuthJwtBearer = Type.Object({
  type: Type.Literal('oauth_jwt_bearer'),
  client_id: Template,
  private_key: Template,
  token_url: Template,
  subject: Template,
  audience: Template,
  token_ttl: Type.Optional(Duration),
  algorithm: Type.Optional(Algorithm),
  additional_claims: Type.Optional(ClaimMap),
  jwt_headers: Type.Optional(ClaimMap),
  scope: Type.Optional(Template),
}, Strict)
/** Field names copied into `connection.config`: a list (same name) or a map of config field to source field. */
const FieldCopy = Type.Union([Type.Array(Type.String()), Type.Record(Type.String(), Type.String())],
  { description: 'a list of field names, or a map of config field to source field' })
const HeaderName = Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$', description: 'an HTTP header name' })
const AuthOAuth2 = Type.Object({
  type: Type.Literal('oauth2'),
  // Rendered into the browser's redirect: never a secret (site base_url).
  authorize_url: TemplateAt('base_url'),
  token_url: Template,
  client_id: Template,
  client_secret: Template,
  scopes: Type.Optional(Type.Array(Type.String())),
  scope_separator: Type.Optional(Type.String()),
  authorize_params: Type.Optional(Type.Record(Type.String(), TemplateAt('base_url'))),
  token_params: Type.Optional(TemplateMap),
  refresh_params: Type.Optional(TemplateMap),
  pkce: Type.Optional(Type.Boolean()),
  client_auth: Type.Optional(ClientAuth),
  /** Dot path to a nested token object in the token response (Slack's `authed_user`). */
  token_path: Type.Optional(Type.String()),
  /** Token-response fields copied into connection.config (Salesforce `instance_url`). */
  metadata: Type.Optional(FieldCopy),
  /** Callback query parameters copied into connection.config (QuickBooks `realmId`). */
  redirect_metadata: Type.Optional(FieldCopy),
  /** SPEC 7.4: one request with the new token right after the code exchange. */
  post_connect: Type.Optional(Type.Object({
    method: Type.Optional(HttpMethod),
    url: Template,
    headers: Type.Optional(TemplateMap),
    /** config field -> JSON path in the answer, such as "[0].id" */
    metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  }, Strict)),
  /** The token and refresh requests' body: form (default) or json. */
  token_format: Type.Optional(Type.Union([Type.Literal('form'), Type.Literal('json')], { description: 'form or json' })),
  header: Type.Optional(HeaderName),
  prefix: Type.Optional(Type.String()),
}, Strict)
const AuthOAuth1 = Type.Object({
  type: Type.Literal('oauth1'),
  consumer_key: Template,
  consumer_secret: Template,
  token: Template,
  token_secret: Template,
  signature_method: Type.Optional(literals(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const, 'HMAC-SHA1, HMAC-SHA256 or PLAINTEXT')),
  realm: Type.Optional(Template),
}, Strict)

export const AuthMethodSchema = discriminated([
  AuthNone, AuthBasic, AuthBearer, AuthApiKey, AuthCustom,
  AuthClientCredentials, AuthJwt, AuthJwtBearer, AuthOAuth2, AuthOAuth1,
])
export type AuthMethodConfig = Static<typeof AuthMethodSchema>
export type AuthType = AuthMethodConfig['type']
export const AUTH_TYPES: readonly AuthType[] = [
  'none', 'basic', 'bearer', 'api_key', 'custom',
  'oauth_client_credentials', 'jwt', 'oauth_jwt_bearer', 'oauth2', 'oauth1',
]
export type AuthMethodOf<T extends AuthType> = Extract<AuthMethodConfig, { type: T }>

const HeaderEntry = Type.Union([
  Template,
  Type.Object({ value: Template, overridable: Type.Optional(Type.Boolean()) }, Strict),
], { description: 'a string, or { value, overridable }' })

const Input = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  label: Type.Optional(Type.String()),
  type: Type.Optional(literals(['text', 'password', 'url', 'email', 'number', 'select'] as const, 'text, password, url, email, number or select')),
  required: Type.Optional(Type.Boolean()),
  pattern: Type.Optional(Type.String()),
  pattern_error: Type.Optional(Type.String()),
  placeholder: Type.Optional(Type.String()),
  help: Type.Optional(Type.String()),
  default: Type.Optional(Type.String()),
  options: Type.Optional(Type.Array(Type.String())),
}, Strict)
export type InputConfig = Static<typeof Input>

const Action = Type.Object({
  method: HttpMethod,
  path: TemplateAt('path'),
  description: Type.Optional(Type.String()),
  /** How the caller's JSON `body` is sent: as JSON (default), or form-encoded (Stripe's v1 API). */
  body_format: Type.Optional(literals(['json', 'form'] as const, 'json or form')),
}, Strict)

const Entity = Type.Object({
  fields: Type.Optional(Type.Array(Type.String())),
  actions: Type.Optional(idMap(Action)),
  events: Type.Optional(Type.Array(Type.String())),
}, Strict)

export const WEBHOOK_VERIFY_TYPES = ['stripe', 'slack', 'github', 'shopify', 'standard', 'hmac', 'token', 'url_hmac', 'jwt'] as const
/** Requests answered without being forwarded (SPEC 13 handshakes), one per provider scheme. */
export const WEBHOOK_HANDSHAKES = ['zoom_url_validation', 'validation_token', 'challenge', 'head', 'hook_secret'] as const
/**
 * Which type takes which option is checked in semantic.ts (each at its position). `secret` is
 * required except with `handshake: hook_secret`, whose secret is the one captured.
 */
const WebhookVerify = Type.Object({
  type: literals(WEBHOOK_VERIFY_TYPES, 'stripe, slack, github, shopify, standard, hmac, token, url_hmac or jwt'),
  secret: Type.Optional(Template),
  tolerance: Type.Optional(Duration),
  header: Type.Optional(HeaderName),
  /** slack: the header with the signed Unix timestamp (default X-Slack-Request-Timestamp). */
  timestamp_header: Type.Optional(HeaderName),
  algorithm: Type.Optional(literals(['sha256', 'sha1', 'sha512'] as const, 'sha256, sha1 or sha512')),
  encoding: Type.Optional(literals(['hex', 'base64'] as const, 'hex or base64')),
  prefix: Type.Optional(Type.String()),
  /** token: the JSON body field holding the secret, `a.b`, `list[].field` for every element. */
  field: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_@$-]+(\\[\\])?(\\.[A-Za-z0-9_@$-]+(\\[\\])?){0,7}$', description: 'a JSON field path such as passcode or value[].clientState' })),
  /** url_hmac: what is signed after the public URL (Twilio) or before it (Trello). */
  signed: Type.Optional(literals(['url_and_form', 'body_and_url'] as const, 'url_and_form or body_and_url')),
  /** jwt: the `aud` claim required. */
  audience: Type.Optional(Type.String({ minLength: 1 })),
  /** The provider's event id (repeats): `header:<name>` or `body:<path>` parts, all present. */
  event_id: Type.Optional(Type.Array(Type.String({ pattern: '^(header:[A-Za-z0-9!#$%&\'*+.^_`|~-]+|body:[A-Za-z0-9_@$-]+(\\.[A-Za-z0-9_@$-]+){0,7})$', description: 'header:<name> or body:<field.path>' }), { minItems: 1, maxItems: 4 })),
  /** Provider headers forwarded in the event besides the type's own. */
  event_headers: Type.Optional(Type.Array(HeaderName, { maxItems: 16 })),
  handshake: Type.Optional(literals(WEBHOOK_HANDSHAKES, 'zoom_url_validation, validation_token, challenge, head or hook_secret')),
}, Strict)
export type WebhookVerifyConfig = Static<typeof WebhookVerify>

export const ConnectorSchema = Type.Object({
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  domain: Type.Optional(Type.String()),
  visibility: Type.Optional(Type.Union([Type.Literal('private'), Type.Literal('public')], { description: 'private or public' })),
  icon_url: Type.Optional(Type.String()),
  extends: Type.Optional(Type.Union([Type.String({ pattern: ID_PATTERN }), Type.Null()], { description: 'a built-in connector slug or null' })),
  base_url: Type.Optional(TemplateAt('base_url')),
  allowed_hosts: Type.Optional(Type.Array(Type.String())),
  headers: Type.Optional(Type.Record(Type.String(), HeaderEntry)),
  query: Type.Optional(Type.Record(Type.String(), HeaderEntry)),
  auth: Type.Optional(Type.Object({
    default: Type.Optional(Type.String()),
    methods: idMap(AuthMethodSchema),
  }, Strict)),
  inputs: Type.Optional(Type.Array(Input)),
  test: Type.Optional(Type.Object({
    method: Type.Optional(HttpMethod),
    path: TemplateAt('path'),
    expect_status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    /**
     * JSON fields the answer must carry, dot path -> expected value (Slack answers 200 with
     * `{"ok": false}` for a bad token: `expect_json: { ok: true }`).
     */
    // One multi-type schema, not a union: the validator coerces types, and a union would turn
    // YAML `true` into the string "true" (its first branch).
    expect_json: Type.Optional(Type.Record(Type.String(), Type.Unsafe<string | number | boolean | null>({ type: ['string', 'number', 'boolean', 'null'], description: 'a string, number, boolean or null' }))),
  }, Strict)),
  response: Type.Optional(Type.Object({
    remove_headers: Type.Optional(Type.Array(Type.String())),
    body: Type.Optional(Type.Union([TemplateAt('response'), Type.Null()])),
    content_type: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }, Strict)),
  retry: Type.Optional(Type.Object({
    max: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    on: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }))),
    methods: Type.Optional(Type.Array(HttpMethod)),
  }, Strict)),
  capabilities: Type.Optional(Type.Object({
    entities: Type.Optional(idMap(Entity)),
  }, Strict)),
  /** SPEC 13: how `POST /webhooks/<connection>` is verified, and where it is forwarded. */
  webhooks: Type.Optional(Type.Object({
    verify: WebhookVerify,
    forward_to: Type.Optional(TemplateAt('base_url')),
  }, Strict)),
}, Strict)
export type ConnectorConfig = Static<typeof ConnectorSchema>

export const AccessSchema = Type.Object({
  anonymous: Type.Optional(Type.Boolean()),
  callers: Type.Optional(Type.Array(Type.String())),
  users: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('owner')], { description: 'true, false or "owner"' })),
  allow: Type.Optional(Type.Array(Type.String())),
}, Strict)
export type AccessConfig = Static<typeof AccessSchema>

export const ConnectionSchema = Type.Object({
  connector: Type.String(),
  auth: Type.Optional(Type.String()),
  config: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  credentials: Type.Optional(TemplateMap),
  owner: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  access: Type.Optional(AccessSchema),
  rate_limit: Type.Optional(Type.Object({
    max: Type.Integer({ minimum: 1 }),
    window: Duration,
    per: Type.Optional(Type.Union([Type.Literal('caller'), Type.Literal('user'), Type.Literal('connection')], { description: 'caller, user or connection' })),
  }, Strict)),
}, Strict)
export type ConnectionConfig = Static<typeof ConnectionSchema>

const RedisBacked = {
  url: Type.Optional(Type.String()),
  /** SPEC 3: a Redis Cluster instead of `url`, given by some of its nodes (redis://host:port). */
  cluster_nodes: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  key_prefix: Type.Optional(Type.String()),
}

/**
 * Optional OpenTelemetry tracing (README "Tracing"), off unless `enabled`. A key left out here
 * falls back to the standard OTEL_* variable, then to the default (observability/tracing.ts).
 * `headers` go to the collector only (its API key: a `caller`-site template, so get_secret works).
 */
const TRACING_HEADER_NAME = '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$'
const Tracing = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  endpoint: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+([/?#]\\S*)?$', description: 'an http(s) URL: the OTLP/HTTP traces endpoint' })),
  service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'a service name (1 to 256 characters)' })),
  sample_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'a ratio from 0 to 1' })),
  headers: Type.Optional(idMap(TemplateAt('caller'), TRACING_HEADER_NAME, 'header name')),
}, Strict)

export const ConfigSchema = Type.Object({
  server: Type.Optional(Type.Object({
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    public_url: Type.Optional(Type.String()),
    upstream_timeout: Type.Optional(Duration),
    token_timeout: Type.Optional(Duration),
    headers_timeout: Type.Optional(Duration),
    request_timeout: Type.Optional(Duration),
    keep_alive_timeout: Type.Optional(Duration),
    body_limit: Type.Optional(Size),
    allow_private_upstreams: Type.Optional(Type.Boolean()),
    /** SPEC 9: /metrics also served on this port, without auth (a private scrape network). */
    metrics_port: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Null()], { description: 'a port number or null' })),
    log_level: Type.Optional(literals(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'fatal, error, warn, info, debug, trace or silent')),
    connect: Type.Optional(Type.Object({
      return_to_origins: Type.Optional(Type.Array(Type.String())),
      /**
       * Bind an OAuth flow to the browser that started it with a cookie (login CSRF). Turn off
       * only when something in front forwards the callback without the browser's cookies.
       */
      browser_binding: Type.Optional(Type.Boolean()),
    }, Strict)),
    /** SPEC 8.2, 13: lifecycle events and forwarded webhooks, signed as Standard Webhooks. */
    events: Type.Optional(Type.Object({
      url: Type.String(),
      secret: TemplateAt('caller'),
    }, Strict)),
    tracing: Type.Optional(Tracing),
  }, Strict)),
  store: Type.Optional(Type.Object({
    type: Type.Union([Type.Literal('file'), Type.Literal('redis')], { description: 'file or redis' }),
    path: Type.Optional(Type.String()),
    ...RedisBacked,
  }, Strict)),
  cache: Type.Optional(Type.Object({
    type: Type.Union([Type.Literal('memory'), Type.Literal('redis')], { description: 'memory or redis' }),
    ...RedisBacked,
  }, Strict)),
  variables: Type.Optional(idMap(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), SECRET_NAME_PATTERN, 'variable name')),
  callers: Type.Optional(Type.Object({
    api_keys: Type.Optional(idMap(Type.Object({
      key: Type.Optional(TemplateAt('caller')),
      key_sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: '64 hex digits' })),
      admin: Type.Optional(Type.Boolean()),
    }, Strict))),
    jwt: Type.Optional(Type.Object({
      issuer: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
      audience: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
      jwks_url: Type.Optional(Type.String()),
      secret: Type.Optional(TemplateAt('caller')),
      algorithms: Type.Optional(Type.Array(Algorithm)),
      owner_claim: Type.Optional(Type.String()),
      clock_tolerance: Type.Optional(Duration),
      require_exp: Type.Optional(Type.Boolean()),
    }, Strict)),
    cors: Type.Optional(Type.Object({
      origins: Type.Array(Type.String()),
      max_age: Type.Optional(Duration),
    }, Strict)),
  }, Strict)),
  connectors: Type.Optional(idMap(ConnectorSchema)),
  connections: Type.Optional(idMap(ConnectionSchema)),
}, Strict)

export type RawConfig = Static<typeof ConfigSchema>
