import pino, { type Logger } from 'pino';
import PinoPretty, { type PrettyOptions } from 'pino-pretty';
import type { LogFormat, LogLevel } from './config/settings';

export type { Logger } from 'pino';

/**
 * How a person reads our logs (a terminal, `npm start`): one coloured line per event, local
 * time, the level, the message, then the event's fields as compact JSON. pid, hostname and the
 * service name are left out: `npm start` prefixes every line with the app's name.
 */
export const PRETTY_LOG_OPTIONS: PrettyOptions = {
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,service,name',
  // An err or error field stays on the event's line (pino-pretty would print it on its own lines).
  errorLikeObjectKeys: [],
};

/**
 * Pretty when LOG_FORMAT says so, or (`auto`, the default) when stdout is a terminal; JSON
 * otherwise (a file, a pipe, a log shipper). Colour follows the terminal, FORCE_COLOR and NO_COLOR.
 */
export function resolveLogFormat(
  format: LogFormat,
  stdoutIsTerminal = process.stdout.isTTY === true,
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * Logs on stdout, one line per event: JSON for machines, or pretty for people (see
 * resolveLogFormat). Secrets are redacted wherever they appear, in either format.
 */
export function createLogger(name: string, level: LogLevel, format: LogFormat = 'auto'): Logger {
  const options = {
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
  };
  if (resolveLogFormat(format) === 'json') return pino(options);
  // Formatted on the main thread, synchronously: a worker-thread transport could lose the last
  // lines when an app exits on a fatal start-up error.
  return pino(options, PinoPretty({ ...PRETTY_LOG_OPTIONS, sync: true }));
}
