import { logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from './logger';

export type KafkaLogLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * The protocol errors of normal consumer-group coordination, by the message kafkajs puts in a
 * log's `error` field for each (its protocol error table, checked by a unit test). kafkajs logs
 * every error response at ERROR, and the rejoin after a rebalance at WARN, although it retries
 * these or rejoins the group by itself: a scale-out or a broker restart would look alarming.
 * Each keeps the level given here at most; nothing is ever raised.
 */
export const RETRIED_GROUP_ERRORS: Readonly<
  Record<string, { readonly message: string; readonly level: KafkaLogLevelName }>
> = {
  /** A member joined or left: every member rejoins (a normal scale-out or restart). */
  REBALANCE_IN_PROGRESS: {
    message: 'The group is rebalancing, so a rejoin is needed',
    level: 'info',
  },
  /** The group's coordinator moved (a broker restart, a leader change): kafkajs finds it again. */
  NOT_COORDINATOR_FOR_GROUP: {
    message: 'This is not the correct coordinator for this group',
    level: 'warn',
  },
  GROUP_LOAD_IN_PROGRESS: {
    message: "The coordinator is loading and hence can't process requests for this group",
    level: 'warn',
  },
  GROUP_COORDINATOR_NOT_AVAILABLE: {
    message: 'The group coordinator is not available',
    level: 'warn',
  },
};

const RANK: Readonly<Record<KafkaLogLevelName, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
const RETRIED_BY_MESSAGE = new Map(
  Object.values(RETRIED_GROUP_ERRORS).map(({ message, level }) => [message, level]),
);

/** The level one kafkajs log entry is written at. */
export function kafkaLogLevel(entry: Pick<LogEntry, 'level' | 'log'>): KafkaLogLevelName {
  const level: KafkaLogLevelName =
    entry.level === KafkaLogLevel.ERROR
      ? 'error'
      : entry.level === KafkaLogLevel.WARN
        ? 'warn'
        : entry.level === KafkaLogLevel.INFO
          ? 'info'
          : 'debug';
  const error: unknown = entry.log['error'];
  const retried = typeof error === 'string' ? RETRIED_BY_MESSAGE.get(error) : undefined;
  return retried !== undefined && RANK[retried] < RANK[level] ? retried : level;
}

/** Sends kafkajs' logs through our logger (`component: 'kafkajs'`), at kafkaLogLevel's levels. */
export function kafkaLogBridge(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log;
    child[kafkaLogLevel(entry)](extra, message);
  };
}
