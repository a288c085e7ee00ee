import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PRETTY_LOG_OPTIONS } from '@geostream/platform';
import { prettyFactory } from 'pino-pretty';

/**
 * The five apps as `npm start` runs them: each one a child process (tsx on its sources, as its
 * nx `serve` target), its output read line by line. A JSON log line becomes one readable line
 * (pino-pretty), anything else (a Node warning, a stack trace) is passed through as it is, and
 * every line is prefixed with the app's name. The healthy-start test runs the same function.
 *
 * They start in the order data flows (mock-api, producer, stream-processor, alarm-manager,
 * dashboard), each once the one before answers /health: the producer's first poll then finds the
 * API, the alarm-manager and the dashboard find the topics the stream-processor creates. An app's address is the
 * `url` field of its first log line that has one (each logs it when it listens).
 */
export const APPS = [
  'mock-api',
  'producer',
  'stream-processor',
  'alarm-manager',
  'batch-dashboard',
] as const;
export type AppName = (typeof APPS)[number];

export interface AppLine {
  readonly app: AppName;
  readonly stream: 'stdout' | 'stderr';
  /** The line as the app wrote it. */
  readonly raw: string;
  /** pino's level (30 info, 40 warn, 50 error, 60 fatal) when the line is a JSON log line. */
  readonly level: number | undefined;
  /** What a person sees: the name prefix and the readable line. */
  readonly display: string;
}

export interface StartAppsOptions {
  readonly repoRoot: string;
  /** The environment every app gets (each app reads the variables it uses). */
  readonly env: NodeJS.ProcessEnv;
  /** Per-app additions, e.g. PORT (one variable name, five apps). */
  readonly appEnv?: Partial<Record<AppName, NodeJS.ProcessEnv>>;
  readonly colour: boolean;
  readonly onLine: (line: AppLine) => void;
  /** An app exited by itself (not through stop()). */
  readonly onExit?: (app: AppName, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface RunningApps {
  /** Resolves once each app has started and answered /health (or failed to, or stop() ran). */
  readonly ready: Promise<void>;
  /** Each app's address, from its listening log line. */
  readonly urls: Partial<Record<AppName, string>>;
  /** SIGTERM to each app (each flushes and closes), then waits for all to exit. */
  stop(): Promise<void>;
}

/** How long one app may take to answer /health before the next one starts anyway. */
const READY_TIMEOUT_MS = 120_000;

const NAME_WIDTH = Math.max(...APPS.map((a) => a.length));
// Cyan, green, yellow, blue, magenta: one per app, as a terminal's 16 colours.
const APP_COLOURS: Record<AppName, number> = {
  'mock-api': 36,
  producer: 32,
  'stream-processor': 33,
  'alarm-manager': 34,
  'batch-dashboard': 35,
};

/** The browser bundle the dashboard serves (its nx target is cached: fast when nothing changed). */
export function buildDashboardAssets(repoRoot: string): void {
  const result = spawnSync(
    'npx',
    ['nx', 'run', 'batch-dashboard:build-web', '--outputStyle=static'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `building the dashboard's browser bundle failed:\n${result.stdout}${result.stderr}`,
    );
  }
}

export function startApps(options: StartAppsOptions): RunningApps {
  const tsx = path.join(options.repoRoot, 'node_modules', '.bin', 'tsx');
  const pretty = prettyFactory({ ...PRETTY_LOG_OPTIONS, colorize: options.colour });
  const children = new Map<AppName, ChildProcess>();
  const exited = new Map<AppName, Promise<void>>();
  const urls: Partial<Record<AppName, string>> = {};
  let stopping = false;

  const start = (app: AppName): Promise<string | undefined> => {
    const prefix = options.colour
      ? `\u001b[${APP_COLOURS[app]}m${app.padEnd(NAME_WIDTH)}\u001b[0m │ `
      : `${app.padEnd(NAME_WIDTH)} │ `;
    const child = spawn(
      tsx,
      ['--tsconfig', `apps/${app}/tsconfig.json`, `apps/${app}/src/main.ts`],
      {
        cwd: options.repoRoot,
        // JSON from the apps (their stdout is a pipe): the lines are made readable here. glibc
        // gives a freed block of 128 KiB or more back to the system at once, as the Docker
        // image has it (docker/Dockerfile; why: the stream-processor README, "Sizing memory").
        env: {
          MALLOC_MMAP_THRESHOLD_: '131072',
          ...options.env,
          ...options.appEnv?.[app],
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.set(app, child);
    let announce: (url: string | undefined) => void = () => undefined;
    const listening = new Promise<string | undefined>((resolve) => (announce = resolve));
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream] }).on('line', (raw) => {
        const entry = jsonLogEntry(raw);
        const level = typeof entry?.['level'] === 'number' ? entry['level'] : undefined;
        const url = entry?.['url'];
        if (typeof url === 'string' && urls[app] === undefined) {
          urls[app] = url;
          announce(url);
        }
        const text = entry === undefined ? raw : pretty(raw).trimEnd();
        options.onLine({ app, stream, raw, level, display: prefix + text });
      });
    }
    exited.set(
      app,
      new Promise((resolve) => {
        child.on('exit', (code, signal) => {
          announce(undefined);
          if (!stopping) options.onExit?.(app, code, signal);
          resolve();
        });
      }),
    );
    return listening;
  };

  const ready = (async () => {
    for (const app of APPS) {
      if (stopping) break;
      const url = await start(app);
      if (url !== undefined) await answersHealth(new URL('/health', url), () => stopping);
    }
  })();

  return {
    ready,
    urls,
    async stop() {
      stopping = true;
      await ready; // an app being started is then in `children` too
      for (const child of children.values()) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      }
      await Promise.all(exited.values());
    },
  };
}

/** Polls /health until it answers 200 (ok or degraded), for READY_TIMEOUT_MS at most. */
async function answersHealth(url: URL, stopped: () => boolean): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopped()) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function jsonLogEntry(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null && 'level' in entry
      ? (entry as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
