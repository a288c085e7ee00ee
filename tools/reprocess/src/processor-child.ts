import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ReprocessError } from './errors';

export interface StartedProcessor {
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
}

/** A port nobody listens on now, for the new processor's /health and /metrics. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts the built stream-processor as a process of its own (detached: it keeps running after
 * this command, as the new version's deployment until operations take it over), its output in
 * a log file. Resolves once it answers /health; rejects if it exits before, with what it said:
 * its own configuration check names every variable it refuses.
 */
export async function startProcessor(options: {
  bundle: string;
  env: Record<string, string | undefined>;
  port: number;
  host: string;
  logDir: string;
  version: string;
}): Promise<StartedProcessor> {
  if (!existsSync(options.bundle))
    throw new ReprocessError(
      'REPROCESS_PROCESSOR_FAILED',
      `the stream-processor bundle ${options.bundle} does not exist: run \`npx nx build stream-processor\``,
    );
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.version}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [options.bundle], {
    env: { ...options.env, PORT: String(options.port), LOG_FORMAT: 'json' },
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${options.port}/health`;
  for (;;) {
    if (gone) {
      const code = await exited;
      const said = tail(logFile);
      if (/Invalid configuration|CONFIG_INVALID/.test(said))
        throw new ReprocessError(
          'REPROCESS_SETTING_REFUSED',
          `the stream-processor refused the settings:\n${configLines(said)}`,
        );
      throw new ReprocessError(
        'REPROCESS_PROCESSOR_FAILED',
        `the stream-processor exited (code ${code}) before answering /health; its log: ${logFile}\n${said}`,
      );
    }
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await answer.body?.cancel();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.unref();
  return { pid: child.pid ?? 0, port: options.port, logFile };
}

function tail(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.slice(Math.max(0, text.length - 4_000));
}

/** The variable lines of the ConfigError the processor logged (a JSON line) at exit. */
function configLines(log: string): string {
  const message = log
    .split('\n')
    .map((line) => findString(parseJson(line), 'Invalid configuration:'))
    .find((found) => found !== undefined);
  const body = message ?? log;
  return body
    .slice(body.indexOf('Invalid configuration:') + 'Invalid configuration:'.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('at '))
    .map((line) => `  ${line}`)
    .join('\n');
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function findString(value: unknown, needle: string): string | undefined {
  if (typeof value === 'string') return value.includes(needle) ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const item of Object.values(value)) {
    const found = findString(item, needle);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** True while a process with this id exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM (the processor writes its outputs and checkpoint, leaves the group), then waits. */
export async function stopProcessor(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 200));
}
