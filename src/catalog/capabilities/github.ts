/**
 * GitHub REST API capabilities: repositories, issues and pull requests (API version 2022-11-28,
 * which the connector pins with X-GitHub-Api-Version). Path parameters use GitHub's own names.
 * Events are the webhook event and its `action`, as `<X-GitHub-Event>.<action>`:
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads
 */
import type { ConnectorConfig } from '../../config/schema.js'

const REPO = '/repos/{{ params.owner }}/{{ params.repo }}'

export const GITHUB_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    // https://docs.github.com/en/rest/repos/repos?apiVersion=2022-11-28
    repo: {
      fields: ['id', 'name', 'full_name', 'private', 'description', 'default_branch', 'html_url'],
      actions: {
        // https://docs.github.com/en/rest/repos/repos?apiVersion=2022-11-28#list-repositories-for-the-authenticated-user
        list: {
          method: 'GET',
          path: '/user/repos',
          description: 'List the repositories the authenticated user can access (query: visibility, affiliation, type, sort, per_page up to 100, page).',
        },
        // https://docs.github.com/en/rest/repos/repos?apiVersion=2022-11-28#get-a-repository
        read: {
          method: 'GET',
          path: REPO,
          description: 'Get one repository by owner (user or organization login) and repo name.',
        },
        // https://docs.github.com/en/rest/repos/repos?apiVersion=2022-11-28#create-a-repository-for-the-authenticated-user
        create: {
          method: 'POST',
          path: '/user/repos',
          description: 'Create a repository owned by the authenticated user (body: name required; description, private, auto_init, ...).',
        },
        // https://docs.github.com/en/rest/repos/repos?apiVersion=2022-11-28#update-a-repository
        update: {
          method: 'PATCH',
          path: REPO,
          description: 'Update a repository\'s settings (body: name, description, private, default_branch, archived, ...).',
        },
      },
      // https://docs.github.com/en/webhooks/webhook-events-and-payloads#repository
      events: ['repository.created', 'repository.edited', 'repository.renamed', 'repository.archived', 'repository.deleted'],
    },
    // https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28
    issue: {
      fields: ['id', 'number', 'title', 'body', 'state', 'labels', 'assignees', 'html_url'],
      actions: {
        // https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28#list-repository-issues
        list: {
          method: 'GET',
          path: `${REPO}/issues`,
          description: 'List a repository\'s issues, pull requests included (query: state open|closed|all, labels, assignee, since, per_page, page).',
        },
        // https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28#get-an-issue
        read: {
          method: 'GET',
          path: `${REPO}/issues/{{ params.issue_number }}`,
          description: 'Get one issue of a repository by its number.',
        },
        // https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28#create-an-issue
        create: {
          method: 'POST',
          path: `${REPO}/issues`,
          description: 'Open an issue in a repository (body: title required; body, labels, assignees, milestone).',
        },
        // https://docs.github.com/en/rest/issues/issues?apiVersion=2022-11-28#update-an-issue
        update: {
          method: 'PATCH',
          path: `${REPO}/issues/{{ params.issue_number }}`,
          description: 'Edit an issue: title, body, state (open or closed), state_reason, labels, assignees, milestone.',
        },
        // https://docs.github.com/en/rest/issues/comments?apiVersion=2022-11-28#create-an-issue-comment
        comment: {
          method: 'POST',
          path: `${REPO}/issues/{{ params.issue_number }}/comments`,
          description: 'Add a comment to an issue or pull request (body: body, the Markdown text).',
        },
      },
      // https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues
      events: ['issues.opened', 'issues.edited', 'issues.closed', 'issues.reopened', 'issues.deleted', 'issue_comment.created'],
    },
    // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28
    pull_request: {
      fields: ['id', 'number', 'title', 'body', 'state', 'head', 'base', 'draft', 'merged', 'html_url'],
      actions: {
        // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28#list-pull-requests
        list: {
          method: 'GET',
          path: `${REPO}/pulls`,
          description: 'List a repository\'s pull requests (query: state open|closed|all, head, base, sort, direction, per_page, page).',
        },
        // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28#get-a-pull-request
        read: {
          method: 'GET',
          path: `${REPO}/pulls/{{ params.pull_number }}`,
          description: 'Get one pull request of a repository by its number.',
        },
        // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28#create-a-pull-request
        create: {
          method: 'POST',
          path: `${REPO}/pulls`,
          description: 'Open a pull request (body: head and base branch names required; title, body, draft).',
        },
        // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28#update-a-pull-request
        update: {
          method: 'PATCH',
          path: `${REPO}/pulls/{{ params.pull_number }}`,
          description: 'Edit a pull request: title, body, state (open or closed), base branch.',
        },
        // https://docs.github.com/en/rest/pulls/pulls?apiVersion=2022-11-28#merge-a-pull-request
        merge: {
          method: 'PUT',
          path: `${REPO}/pulls/{{ params.pull_number }}/merge`,
          description: 'Merge a pull request (body, optional: commit_title, commit_message, sha, merge_method merge|squash|rebase).',
        },
      },
      // https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
      events: ['pull_request.opened', 'pull_request.edited', 'pull_request.synchronize', 'pull_request.closed', 'pull_request.reopened'],
    },
  },
}
