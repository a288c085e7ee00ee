import type { Environment } from '@geostream/platform';
import { parseArgs, HELP } from './args';
import {
  adopt,
  cleanup,
  list,
  rollback,
  start,
  status,
  stop,
  switchTo,
  verify,
} from './commands/index';
import { readReprocessConfig } from './config';
import { openContext } from './context';

/**
 * One command line, run: what main.ts calls, and what tests call in-process. Throws a
 * ReprocessError (or ConfigError) on a refusal; the caller prints it.
 */
export async function runCommand(
  argv: readonly string[],
  env: Environment,
  io: { out: (line: string) => void; status?: (line: string) => void },
): Promise<{ exitCode: number }> {
  const command = parseArgs(argv);
  if (command.name === 'help') {
    io.out(HELP);
    return { exitCode: 0 };
  }
  const ctx = await openContext(readReprocessConfig(env), io);
  try {
    switch (command.name) {
      case 'start':
        await start(ctx, command.version, {
          settings: command.settings,
          follow: command.follow,
          env: { ...env },
        });
        break;
      case 'status':
        await status(ctx, command.version, command.follow);
        break;
      case 'verify':
        // A failed verification is an answer, not an error: exit code 2, the report says why.
        return { exitCode: (await verify(ctx, command.version)).passed ? 0 : 2 };
      case 'switch':
        await switchTo(ctx, command.version);
        break;
      case 'rollback':
        await rollback(ctx);
        break;
      case 'cleanup':
        await cleanup(ctx, command.version, command.yes);
        break;
      case 'list':
        await list(ctx);
        break;
      case 'adopt':
        await adopt(ctx, command.version);
        break;
      case 'stop':
        await stop(ctx, command.version);
        break;
    }
    return { exitCode: 0 };
  } finally {
    await ctx.close();
  }
}
