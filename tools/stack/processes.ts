import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import {
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Background processes the stack starts: each runs detached in its own process group, with its
 * output appended to one log file, and its pid recorded so `down` stops exactly what `up` started.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** A string that appears in the command line of every process of this service (and no other). */
  readonly marker: string;
}

export function pidFile(runDir: string, name: string): string {
  return path.join(runDir, `${name}.json`);
}

export function startDetached(
  runDir: string,
  name: string,
  marker: string,
  command: string,
  args: readonly string[],
  logFile: string,
  options: Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'> = {},
): ManagedProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  if (child.pid === undefined)
    throw new Error(`could not start ${name} (${command}); see ${logFile}`);
  child.unref();
  const managed = { name, pid: child.pid, marker };
  writeFileSync(pidFile(runDir, name), JSON.stringify(managed) + '\n');
  return managed;
}

/** The process we recorded, if it is still alive and still ours (pids get reused). */
export function readManaged(runDir: string, name: string): ManagedProcess | undefined {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return undefined;
  const managed = JSON.parse(readFileSync(file, 'utf8')) as ManagedProcess;
  if (processesWithMarker(managed.marker).length > 0) return managed;
  rmSync(file, { force: true });
  return undefined;
}

function forgetManaged(runDir: string, name: string): void {
  rmSync(pidFile(runDir, name), { force: true });
}

/** `down` for one service: stops it only if this stack started it, and says what it did. */
export async function stopIfOurs(runDir: string, name: string): Promise<string> {
  const managed = readManaged(runDir, name);
  if (!managed) return `${name}: not started by this stack, left alone`;
  await stopManaged(managed);
  forgetManaged(runDir, name);
  return `${name}: stopped (pid ${managed.pid})`;
}

/** Every live process whose command line contains the marker (reads /proc; Linux only). */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * Stops a service: SIGTERM to its process group, then to any straggler carrying its marker,
 * then SIGKILL after the grace period. Resolves once no process with the marker is left.
 */
export async function stopManaged(managed: ManagedProcess, graceMs = 30_000): Promise<void> {
  signalGroup(managed.pid, 'SIGTERM');
  for (const pid of processesWithMarker(managed.marker)) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processesWithMarker(managed.marker).length > 0 && Date.now() < deadline) await sleep(250);
  const left = processesWithMarker(managed.marker);
  if (left.length > 0) {
    signalGroup(managed.pid, 'SIGKILL');
    for (const pid of left) signal(pid, 'SIGKILL');
    while (processesWithMarker(managed.marker).length > 0) await sleep(100);
  }
}

function signalGroup(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // Group already gone.
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command to completion, inheriting output; throws with its exit status on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; quiet?: boolean } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit'],
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status}\n${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
  return result.stdout ?? '';
}

/** Waits until `probe` resolves true, or fails with the log's path and its last lines. */
export async function waitUntilHealthy(
  service: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; logFile?: string; isAlive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (options.isAlive && !options.isAlive()) break;
    await sleep(1_000);
  }
  const reason =
    options.isAlive && !options.isAlive()
      ? 'exited during start-up'
      : `was not healthy within ${options.timeoutMs / 1000} s`;
  const tail = options.logFile && existsSync(options.logFile) ? lastLines(options.logFile, 25) : '';
  throw new Error(
    `${service} ${reason}.${options.logFile ? `\nLog: ${options.logFile}` : ''}${tail ? `\nLast lines:\n${tail}` : ''}`,
  );
}

export function lastLines(file: string, count: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
}
