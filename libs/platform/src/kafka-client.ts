import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { KafkaSettings } from './config/settings';
import type { Logger } from './logger';

/**
 * Builds the kafkajs client from validated settings, sending its logs through our logger so one
 * format and one LOG_LEVEL cover everything. TLS and SASL pass straight through.
 */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: settings.ssl === false ? false : settings.ssl === true ? true : { ...settings.ssl },
    ...(settings.sasl && { sasl: { ...settings.sasl } as never }),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogBridge(logger),
  });
}

function kafkaLogBridge(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (level === KafkaLogLevel.ERROR) child.error(extra, message);
      else if (level === KafkaLogLevel.WARN) child.warn(extra, message);
      else if (level === KafkaLogLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
    };
}
