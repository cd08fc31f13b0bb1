/** Google Workspace APIs: one OAuth client each, scopes as full URLs. */
import type { ConnectorConfig } from '../../config/schema.js'
import { googleOAuth } from '../shared.js'

function google (name: string, description: string, base_url: string, secretPrefix: string, scopes: string[], test?: ConnectorConfig['test']): ConnectorConfig {
  return {
    name,
    description,
    domain: 'google.com',
    visibility: 'public',
    base_url,
    auth: { default: 'oauth', methods: { oauth: googleOAuth(secretPrefix, scopes) } },
    ...(test === undefined ? {} : { test }),
  }
}

export const GOOGLE_CONNECTORS: Record<string, ConnectorConfig> = {
  'google-calendar': google('Google Calendar', 'Google Calendar API v3', 'https://www.googleapis.com/calendar/v3', 'google_calendar',
    ['https://www.googleapis.com/auth/calendar'],
    { method: 'GET', path: '/users/me/calendarList?maxResults=1', expect_status: 200 }),
  'google-drive': google('Google Drive', 'Google Drive API v3', 'https://www.googleapis.com/drive/v3', 'google_drive',
    ['https://www.googleapis.com/auth/drive'],
    { method: 'GET', path: '/about?fields=user', expect_status: 200 }),
  // No cheap authenticated GET without a spreadsheet id: no test request.
  'google-sheets': google('Google Sheets', 'Google Sheets API v4', 'https://sheets.googleapis.com/v4', 'google_sheets',
    ['https://www.googleapis.com/auth/spreadsheets']),
  gmail: google('Gmail', 'Gmail API v1', 'https://gmail.googleapis.com/gmail/v1', 'gmail',
    ['https://www.googleapis.com/auth/gmail.modify'],
    { method: 'GET', path: '/users/me/profile', expect_status: 200 }),
}
