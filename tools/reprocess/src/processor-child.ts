import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
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

/** How long a new processor may take to answer /health (it waits for Kafka and PostgreSQL). */
export const PROCESSOR_READY_TIMEOUT_MS = 120_000;
/** How long a stopping processor may take to write its outputs before it is killed. */
export const PROCESSOR_STOP_TIMEOUT_MS = 60_000;

/**
 * Starts the built stream-processor as a process of its own (detached: it keeps running after
 * this command, as the new version's deployment until operations take it over), its output in
 * a log file. Resolves once it answers /health; rejects if it exits before, with what it said
 * in this run (its own configuration check names every variable it refuses), or if it does not
 * answer within `readyTimeoutMs` (then it is stopped: a service it waits for is down).
 */
export async function startProcessor(options: {
  bundle: string;
  env: Record<string, string | undefined>;
  port: number;
  host: string;
  logDir: string;
  version: string;
  readyTimeoutMs?: number;
}): Promise<StartedProcessor> {
  if (!existsSync(options.bundle))
    throw new ReprocessError(
      'REPROCESS_PROCESSOR_FAILED',
      `the stream-processor bundle ${options.bundle} does not exist: run \`npx nx build stream-processor\``,
    );
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.version}.log`);
  // The log is appended to across attempts: only what this run writes tells why it failed.
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
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
  const deadline = Date.now() + (options.readyTimeoutMs ?? PROCESSOR_READY_TIMEOUT_MS);
  for (;;) {
    if (!gone && Date.now() > deadline) {
      if (child.pid !== undefined) await stopProcessor(child.pid);
      throw new ReprocessError(
        'REPROCESS_PROCESSOR_FAILED',
        `the stream-processor did not answer /health within ${Math.round((options.readyTimeoutMs ?? PROCESSOR_READY_TIMEOUT_MS) / 1000)} s (stopped); is a service it needs down? Its log: ${logFile}\n${tail(logFile, logStart)}`,
      );
    }
    if (gone) {
      const code = await exited;
      const said = tail(logFile, logStart);
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

/** The last 4,000 characters the file got from byte `from` on. */
function tail(file: string, from: number): string {
  const text = readFileSync(file).subarray(from).toString('utf8');
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

/**
 * SIGTERM (the processor writes its outputs and checkpoint, leaves the group), then waits; one
 * still running after `timeoutMs` (a sink down: it would retry for ever) is killed, which loses
 * nothing (a replay from its checkpoint redoes the rest). Says whether it had to kill.
 */
export async function stopProcessor(
  pid: number,
  timeoutMs = PROCESSOR_STOP_TIMEOUT_MS,
): Promise<'stopped' | 'killed'> {
  if (!isAlive(pid)) return 'stopped';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
      return 'killed';
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return 'stopped';
}
