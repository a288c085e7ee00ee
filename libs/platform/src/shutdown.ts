import type { Logger } from './logger';

/**
 * Runs `close` once on SIGTERM or SIGINT, then exits: 0 when it finished cleanly, 1 when it
 * failed or did not finish within `timeoutMs` (a stuck close must not keep the process alive).
 */
export function closeOnSignals(
  close: () => Promise<void>,
  logger: Logger,
  timeoutMs = 30_000,
): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

/** Logs a fatal start-up error (a ConfigError names each bad variable) and exits non-zero. */
export function exitOnStartupFailure(logger: Pick<Logger, 'fatal'>) {
  return (error: unknown): never => {
    logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
    process.exit(1);
  };
}
