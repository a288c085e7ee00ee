import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/settings';

export type { Logger } from 'pino';

/** JSON logs on stdout, one line per event; secrets are redacted wherever they appear. */
export function createLogger(name: string, level: LogLevel): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'sasl.password',
        'apiKey',
        '*.apiKey',
        'authorization',
        '*.authorization',
        'token',
      ],
      censor: '***',
    },
  });
}
