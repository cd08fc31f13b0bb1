/** What the connect routes need from the gateway. */
import type { ConnectionService } from '../connections/service.js'
import type { ConnectionTestDeps } from '../proxy/connection-test.js'
import type { Runtime } from '../runtime/build.js'
import type { SessionStore } from './sessions.js'

export interface ConnectDeps {
  runtime: () => Runtime
  sessions: SessionStore
  connections: ConnectionService
  /** The data plane's render and send steps, for the connector test of typed credentials. */
  test: Omit<ConnectionTestDeps, 'lookup' | 'runtime'>
  /** epoch ms; tests inject a clock to expire sessions */
  now: () => number
}
