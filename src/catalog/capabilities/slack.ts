/**
 * Slack Web API capabilities: channels (conversations.*) and messages. Slack's methods are RPC
 * style, `/api/<method>`; read methods take their arguments in the query string (the channel
 * id is a path parameter rendered there), write methods a JSON body. Slack answers 200 with
 * `"ok": false` and an `error` for most failures, so a caller reads `ok`, not the status.
 * https://docs.slack.dev/apis/web-api/
 * Events are Events API event types: https://docs.slack.dev/reference/events
 */
import type { ConnectorConfig } from '../../config/schema.js'

export const SLACK_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    channel: {
      fields: ['id', 'name', 'is_private', 'is_archived', 'is_member', 'topic', 'purpose', 'num_members'],
      actions: {
        // https://docs.slack.dev/reference/methods/conversations.list
        list: {
          method: 'GET',
          path: '/conversations.list',
          description: 'List channels in the workspace (query: types such as public_channel,private_channel, exclude_archived, limit up to 1000, cursor from response_metadata.next_cursor).',
        },
        // https://docs.slack.dev/reference/methods/conversations.info
        read: {
          method: 'GET',
          path: '/conversations.info?channel={{ params.channel }}',
          description: 'Get one channel\'s details by its id (C..., G... or D...); query: include_num_members.',
        },
        // https://docs.slack.dev/reference/methods/conversations.create
        create: {
          method: 'POST',
          path: '/conversations.create',
          description: 'Create a channel (body: {"name": lower-case, up to 80 characters, "is_private": false}).',
        },
        // https://docs.slack.dev/reference/methods/conversations.rename
        rename: {
          method: 'POST',
          path: '/conversations.rename',
          description: 'Rename a channel (body: {"channel": id, "name": new name}).',
        },
        // https://docs.slack.dev/reference/methods/conversations.setTopic
        set_topic: {
          method: 'POST',
          path: '/conversations.setTopic',
          description: 'Set a channel\'s topic (body: {"channel": id, "topic": text}).',
        },
        // https://docs.slack.dev/reference/methods/conversations.archive
        archive: {
          method: 'POST',
          path: '/conversations.archive',
          description: 'Archive a channel (body: {"channel": id}).',
        },
      },
      // https://docs.slack.dev/reference/events/channel_created (and channel_rename, ...)
      events: ['channel_created', 'channel_rename', 'channel_archive', 'channel_unarchive', 'channel_deleted'],
    },
    message: {
      fields: ['ts', 'channel', 'user', 'text', 'thread_ts', 'blocks'],
      actions: {
        // https://docs.slack.dev/reference/methods/conversations.history
        list: {
          method: 'GET',
          path: '/conversations.history?channel={{ params.channel }}',
          description: 'List a channel\'s messages, newest first (query: limit up to 999, oldest and latest timestamps, inclusive, cursor from response_metadata.next_cursor).',
        },
        // https://docs.slack.dev/reference/methods/conversations.replies
        replies: {
          method: 'GET',
          path: '/conversations.replies?channel={{ params.channel }}&ts={{ params.ts }}',
          description: 'Get a thread: the message with timestamp ts in a channel and its replies (query: limit, cursor).',
        },
        // https://docs.slack.dev/reference/methods/chat.postMessage
        post_message: {
          method: 'POST',
          path: '/chat.postMessage',
          description: 'Post a message to a channel (body: {"channel": id, "text": ..., "blocks": [...], "thread_ts": to reply in a thread}).',
        },
        // https://docs.slack.dev/reference/methods/chat.update
        update: {
          method: 'POST',
          path: '/chat.update',
          description: 'Edit a message the app posted (body: {"channel": id, "ts": message timestamp, "text": ..., "blocks": [...]}).',
        },
      },
      // https://docs.slack.dev/reference/events/message.channels (and message.groups, .im, .mpim)
      events: ['message.channels', 'message.groups', 'message.im', 'message.mpim'],
    },
  },
}
