/**
 * Developer platforms: GitLab, Bitbucket Cloud, Twilio.
 * Each entry cites the provider documentation its values come from.
 */
import type { ConnectorConfig } from '../../config/schema.js'
import { bearer, clientSecrets, secretInput } from '../shared.js'

/**
 * GitLab.com, or a self-managed instance named by the connection. The host is operator-gated:
 * `allowed_hosts` admits gitlab.com only, so a self-managed instance (and its own OAuth app's
 * client id and secret) is enabled by a connector that `extends: gitlab` and lists its host;
 * a typed host can never receive another instance's client secret or token.
 */
const GITLAB = "https://{{ connection.config.host | default('gitlab.com') }}"
const TWILIO_ACCOUNT = '/Accounts/{{ connection.config.account_sid }}'

export const DEVELOPER_CONNECTORS: Record<string, ConnectorConfig> = {
  // https://docs.gitlab.com/api/oauth2/ (authorization code with PKCE, form token request,
  //   client credentials in the body, 2-hour access tokens with refresh tokens)
  // https://docs.gitlab.com/api/rest/authentication/ (personal access tokens as Bearer or PRIVATE-TOKEN)
  // https://docs.gitlab.com/integration/oauth_provider/ (scopes: api, read_api, read_user, ...)
  gitlab: {
    name: 'GitLab',
    description: 'GitLab REST API v4 (GitLab.com, or a self-managed instance through extends)',
    domain: 'gitlab.com',
    visibility: 'public',
    base_url: `${GITLAB}/api/v4`,
    allowed_hosts: ['gitlab.com'],
    inputs: [
      {
        name: 'host', label: 'GitLab host', type: 'text', required: false, default: 'gitlab.com',
        pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]$', pattern_error: 'a host name such as gitlab.com',
        help: 'gitlab.com, or your instance\'s host when the gateway allows it',
      },
      secretInput('token', 'Personal access token', { required: false, pattern: '^glpat-', pattern_error: 'a personal access token (glpat-…)' }),
      secretInput('webhook_secret', 'Webhook secret token', { required: false, help: 'The secret token set on the project or group webhook' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: `${GITLAB}/oauth/authorize`,
          token_url: `${GITLAB}/oauth/token`,
          ...clientSecrets('gitlab'),
          scopes: ['read_user', 'api'],
          scope_separator: ' ',
          pkce: true,
        },
        token: bearer('token'),
      },
    },
    // https://docs.gitlab.com/api/users/#get-the-current-user
    test: { method: 'GET', path: '/user', expect_status: 200 },
    // X-Gitlab-Token: the webhook's secret token as is (compared constant-time; nothing is
    // signed). Idempotency-Key is the same on a retry (GitLab 17.4+); else the body digest.
    // https://docs.gitlab.com/user/project/integrations/webhooks/
    webhooks: {
      verify: {
        type: 'token', secret: '{{ connection.credentials.webhook_secret }}', header: 'X-Gitlab-Token', event_id: ['header:Idempotency-Key'],
        event_headers: ['X-Gitlab-Event', 'X-Gitlab-Event-UUID', 'X-Gitlab-Webhook-UUID', 'X-Gitlab-Instance', 'Idempotency-Key'],
      },
    },
    capabilities: {
      entities: {
        project: {
          fields: ['id', 'name', 'path_with_namespace', 'default_branch', 'web_url'],
          actions: {
            // https://docs.gitlab.com/api/projects/ (membership=true in the query for one's own)
            list: { method: 'GET', path: '/projects' },
            read: { method: 'GET', path: '/projects/{{ params.id }}' },
          },
        },
        issue: {
          fields: ['id', 'iid', 'title', 'state', 'labels'],
          actions: {
            // https://docs.gitlab.com/api/issues/
            list: { method: 'GET', path: '/projects/{{ params.project_id }}/issues' },
            read: { method: 'GET', path: '/projects/{{ params.project_id }}/issues/{{ params.id }}' },
            create: { method: 'POST', path: '/projects/{{ params.project_id }}/issues' },
          },
        },
      },
    },
  },

  // https://developer.atlassian.com/cloud/bitbucket/oauth-2/ (authorize and access_token at
  //   bitbucket.org/site/oauth2, HTTP Basic client auth, scopes set on the OAuth consumer)
  // https://developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication (Bearer tokens,
  //   repository/project/workspace access tokens)
  // https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/ (API tokens: HTTP Basic
  //   with the Atlassian account email; app passwords stop working on 9 June 2026)
  bitbucket: {
    name: 'Bitbucket',
    description: 'Bitbucket Cloud REST API 2.0',
    domain: 'bitbucket.org',
    visibility: 'public',
    base_url: 'https://api.bitbucket.org/2.0',
    inputs: [
      { name: 'email', label: 'Atlassian account email', type: 'email', required: false, help: 'With an API token' },
      secretInput('api_token', 'API token', { required: false }),
      secretInput('access_token', 'Access token', { required: false, help: 'A repository, project or workspace access token' }),
      secretInput('webhook_secret', 'Webhook secret', { required: false, help: 'The secret set on the repository webhook, to verify its deliveries' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://bitbucket.org/site/oauth2/authorize',
          token_url: 'https://bitbucket.org/site/oauth2/access_token',
          ...clientSecrets('bitbucket'),
          scopes: [],
          client_auth: 'basic',
          pkce: false,
        },
        api_token: { type: 'basic', username: '{{ connection.config.email }}', password: '{{ connection.credentials.api_token }}' },
        access_token: bearer('access_token'),
      },
    },
    // A repository listing the token may read (an access token has no /user: it is no user).
    // https://developer.atlassian.com/cloud/bitbucket/rest/api-group-repositories/#api-repositories-get
    test: { method: 'GET', path: '/repositories?role=member&pagelen=1', expect_status: 200 },
    // A webhook with a secret signs each delivery: X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>.
    // https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks
    webhooks: {
      verify: { type: 'hmac', secret: '{{ connection.credentials.webhook_secret }}', header: 'X-Hub-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
    },
    capabilities: {
      entities: {
        repository: {
          fields: ['uuid', 'full_name', 'name', 'is_private', 'mainbranch'],
          actions: {
            list: { method: 'GET', path: '/repositories/{{ params.workspace }}' },
            read: { method: 'GET', path: '/repositories/{{ params.workspace }}/{{ params.repo_slug }}' },
          },
        },
        pullrequest: {
          fields: ['id', 'title', 'state', 'author'],
          actions: {
            // https://developer.atlassian.com/cloud/bitbucket/rest/api-group-pullrequests/
            list: { method: 'GET', path: '/repositories/{{ params.workspace }}/{{ params.repo_slug }}/pullrequests' },
            read: { method: 'GET', path: '/repositories/{{ params.workspace }}/{{ params.repo_slug }}/pullrequests/{{ params.id }}' },
            create: { method: 'POST', path: '/repositories/{{ params.workspace }}/{{ params.repo_slug }}/pullrequests' },
          },
        },
      },
    },
  },

  // https://www.twilio.com/docs/usage/api#authenticate-with-http (HTTP Basic: Account SID and
  //   Auth Token, or API key SID and secret with the account in the path)
  // https://www.twilio.com/docs/iam/api-keys
  // https://www.twilio.com/docs/messaging/api/message-resource
  twilio: {
    name: 'Twilio',
    description: 'Twilio REST API (2010-04-01) of one account',
    domain: 'twilio.com',
    visibility: 'public',
    base_url: 'https://api.twilio.com/2010-04-01',
    inputs: [
      { name: 'account_sid', label: 'Account SID', type: 'text', required: true, pattern: '^AC[0-9a-fA-F]{32}$', pattern_error: 'an Account SID (AC followed by 32 hex digits)' },
      secretInput('auth_token', 'Auth token', { required: false }),
      { name: 'api_key_sid', label: 'API key SID', type: 'text', required: false, pattern: '^SK[0-9a-fA-F]{32}$', pattern_error: 'an API key SID (SK followed by 32 hex digits)' },
      secretInput('api_key_secret', 'API key secret', { required: false }),
    ],
    auth: {
      default: 'auth_token',
      methods: {
        auth_token: { type: 'basic', username: '{{ connection.config.account_sid }}', password: '{{ connection.credentials.auth_token }}' },
        api_key: { type: 'basic', username: '{{ connection.config.api_key_sid }}', password: '{{ connection.credentials.api_key_secret }}' },
      },
    },
    // https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
    test: { method: 'GET', path: `${TWILIO_ACCOUNT}.json`, expect_status: 200 },
    // X-Twilio-Signature: base64 HMAC-SHA1, keyed with the auth token, of the full public URL
    // then the sorted POST parameters (a JSON body: the URL with its bodySHA256 parameter).
    // https://www.twilio.com/docs/usage/webhooks/webhooks-security
    webhooks: {
      verify: {
        type: 'url_hmac', secret: '{{ connection.credentials.auth_token }}', header: 'X-Twilio-Signature', signed: 'url_and_form',
        event_id: ['header:I-Twilio-Idempotency-Token'], event_headers: ['I-Twilio-Idempotency-Token'],
      },
    },
    capabilities: {
      entities: {
        message: {
          fields: ['sid', 'from', 'to', 'body', 'status', 'date_sent'],
          actions: {
            list: { method: 'GET', path: `${TWILIO_ACCOUNT}/Messages.json` },
            read: { method: 'GET', path: `${TWILIO_ACCOUNT}/Messages/{{ params.id }}.json` },
            // Form-encoded To, From and Body.
            create: { method: 'POST', path: `${TWILIO_ACCOUNT}/Messages.json` },
          },
        },
      },
    },
  },
}
