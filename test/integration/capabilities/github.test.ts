/** The github catalog entry's actions (repos, issues, pull requests) against a recording upstream. */
import t from 'tap'
import { runCapabilityTable } from './harness.js'

const TOKEN = 'ghp_fakeCapabilities0123456789abcdef'
const REPO = { owner: 'octo-org', repo: 'hello.world' }

await runCapabilityTable(t, {
  slug: 'github',
  connection: "credentials: { token: \"{{ get_secret('gh_token') }}\" }",
  secrets: { gh_token: TOKEN },
  headers: {
    authorization: `Bearer ${TOKEN}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  },
  cases: [
    { entity: 'repo', action: 'list', query: { visibility: 'private', per_page: '100' }, method: 'GET', url: '/user/repos?visibility=private&per_page=100' },
    { entity: 'repo', action: 'read', params: REPO, method: 'GET', url: '/repos/octo-org/hello.world' },
    { entity: 'repo', action: 'create', body: { name: 'new-repo', private: true, auto_init: true }, method: 'POST', url: '/user/repos' },
    { entity: 'repo', action: 'update', params: REPO, body: { description: 'Renamed', archived: false }, method: 'PATCH', url: '/repos/octo-org/hello.world' },

    { entity: 'issue', action: 'list', params: REPO, query: { state: 'all', labels: 'bug,ui' }, method: 'GET', url: '/repos/octo-org/hello.world/issues?state=all&labels=bug%2Cui' },
    { entity: 'issue', action: 'read', params: { ...REPO, issue_number: '1347' }, method: 'GET', url: '/repos/octo-org/hello.world/issues/1347' },
    { entity: 'issue', action: 'create', params: REPO, body: { title: 'Found a bug', body: 'It is "broken" – really', labels: ['bug'] }, method: 'POST', url: '/repos/octo-org/hello.world/issues' },
    { entity: 'issue', action: 'update', params: { ...REPO, issue_number: '1347' }, body: { state: 'closed', state_reason: 'completed' }, method: 'PATCH', url: '/repos/octo-org/hello.world/issues/1347' },
    { entity: 'issue', action: 'comment', params: { ...REPO, issue_number: '1347' }, body: { body: 'Fixed in #1348' }, method: 'POST', url: '/repos/octo-org/hello.world/issues/1347/comments' },

    { entity: 'pull_request', action: 'list', params: REPO, query: { state: 'open', base: 'main' }, method: 'GET', url: '/repos/octo-org/hello.world/pulls?state=open&base=main' },
    { entity: 'pull_request', action: 'read', params: { ...REPO, pull_number: '42' }, method: 'GET', url: '/repos/octo-org/hello.world/pulls/42' },
    { entity: 'pull_request', action: 'create', params: REPO, body: { title: 'Amazing feature', head: 'octocat:new-feature', base: 'main', draft: true }, method: 'POST', url: '/repos/octo-org/hello.world/pulls' },
    { entity: 'pull_request', action: 'update', params: { ...REPO, pull_number: '42' }, body: { title: 'Better title', state: 'open' }, method: 'PATCH', url: '/repos/octo-org/hello.world/pulls/42' },
    { entity: 'pull_request', action: 'merge', params: { ...REPO, pull_number: '42' }, body: { merge_method: 'squash' }, method: 'PUT', url: '/repos/octo-org/hello.world/pulls/42/merge' },
  ],
})
