/**
 * The slack catalog entry's actions (channels, messages) against a recording upstream: read
 * methods carry the channel id (a path parameter) in the query, before the caller's own query.
 */
import t from 'tap'
import { runCapabilityTable } from './harness.js'

const TOKEN = 'xoxb-fake-0000000000-capabilities'

await runCapabilityTable(t, {
  slug: 'slack',
  connection: "credentials: { token: \"{{ get_secret('slack_token') }}\" }",
  secrets: { slack_token: TOKEN },
  headers: { authorization: `Bearer ${TOKEN}` },
  cases: [
    { entity: 'channel', action: 'list', query: { types: 'public_channel,private_channel', limit: '200' }, method: 'GET', url: '/conversations.list?types=public_channel%2Cprivate_channel&limit=200' },
    { entity: 'channel', action: 'read', params: { channel: 'C012AB3CD' }, query: { include_num_members: 'true' }, method: 'GET', url: '/conversations.info?channel=C012AB3CD&include_num_members=true' },
    { entity: 'channel', action: 'create', body: { name: 'project-x', is_private: false }, method: 'POST', url: '/conversations.create' },
    { entity: 'channel', action: 'rename', body: { channel: 'C012AB3CD', name: 'project-y' }, method: 'POST', url: '/conversations.rename' },
    { entity: 'channel', action: 'set_topic', body: { channel: 'C012AB3CD', topic: 'Ship it – Friday' }, method: 'POST', url: '/conversations.setTopic' },
    { entity: 'channel', action: 'archive', body: { channel: 'C012AB3CD' }, method: 'POST', url: '/conversations.archive' },

    { entity: 'message', action: 'list', params: { channel: 'C012AB3CD' }, query: { limit: '50', oldest: '1512085950.000216' }, method: 'GET', url: '/conversations.history?channel=C012AB3CD&limit=50&oldest=1512085950.000216' },
    { entity: 'message', action: 'replies', params: { channel: 'C012AB3CD', ts: '1512085950.000216' }, method: 'GET', url: '/conversations.replies?channel=C012AB3CD&ts=1512085950.000216' },
    { entity: 'message', action: 'post_message', body: { channel: 'C012AB3CD', text: 'Hello <@U0G9QF9C6>', thread_ts: '1512085950.000216' }, method: 'POST', url: '/chat.postMessage' },
    { entity: 'message', action: 'update', body: { channel: 'C012AB3CD', ts: '1512085950.000216', text: 'Edited' }, method: 'POST', url: '/chat.update' },
  ],
})
