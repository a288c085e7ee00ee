import { createLogger, type Logger } from '@geostream/platform';

/** The logger of a sink built without one: the caller chose not to hear from it. */
export function silentLogger(): Logger {
  return createLogger('geostream-sinks', 'silent');
}
