import { logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from './logger';

export type KafkaLogLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * Protocol errors of normal operation that kafkajs retries by itself (group coordination,
 * leadership and metadata moves, transaction markers still being written), by the message kafkajs
 * puts in a log's `error` field for each (its protocol error table, checked by a unit test).
 * kafkajs logs every error response at ERROR, and the rejoin after a rebalance at WARN: a
 * scale-out, a broker restart or a topic just created would look alarming. Each keeps the level
 * given here at most; nothing is ever raised. If the retries run out, the operation fails and the
 * app reports that failure itself, at error.
 */
export const RETRIED_ERRORS: Readonly<
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
  /** Metadata of a topic just created has not reached the broker yet: kafkajs refreshes it. */
  UNKNOWN_TOPIC_OR_PARTITION: {
    message: 'This server does not host this topic-partition',
    level: 'warn',
  },
  /**
   * The partition's leader moved (a broker restart), or a topic just created is named with a
   * leader that has not taken it on yet (for a moment after every creation): kafkajs refreshes
   * metadata and retries, and ensureTopics waits it out. Normal operation, as a rebalance is; a
   * leader that stays away fails the operation, which the app reports.
   */
  NOT_LEADER_FOR_PARTITION: {
    message: 'This server is not the leader for that topic-partition',
    level: 'info',
  },
  LEADER_NOT_AVAILABLE: {
    message:
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
    level: 'info',
  },
  /**
   * The previous transaction's markers are still being written: kafkajs retries. The producer
   * waits for the last stable offsets before its next transaction, but the coordinator records
   * the commit complete only after the markers, so a refusal can still slip through now and then.
   * Nothing is wrong and nothing for anyone to do: the Java producer retries it without a word.
   */
  CONCURRENT_TRANSACTIONS: {
    message:
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    level: 'info',
  },
};

const RANK: Readonly<Record<KafkaLogLevelName, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
const RETRIED_BY_MESSAGE = new Map(
  Object.values(RETRIED_ERRORS).map(({ message, level }) => [message, level]),
);

// The producer's own line after a retriable error response: `Failed to send messages: <message>`.
const FAILED_SEND = 'Failed to send messages: ';

/** The protocol error message an entry reports: a response's `error`, or the failed send's. */
function retriedErrorOf(log: LogEntry['log']): string {
  const error: unknown = log['error'];
  if (typeof error === 'string') return error;
  return log.message.startsWith(FAILED_SEND) ? log.message.slice(FAILED_SEND.length) : '';
}

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
  const retried = RETRIED_BY_MESSAGE.get(retriedErrorOf(entry.log));
  return retried !== undefined && RANK[retried] < RANK[level] ? retried : level;
}

/** Sends kafkajs' logs through our logger (`component: 'kafkajs'`), at kafkaLogLevel's levels. */
export function kafkaLogBridge(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    // kafkajs' own timestamp and logger name repeat what our logger writes (time, component).
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
    child[kafkaLogLevel(entry)](extra, message);
  };
}
