import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/**
 * Runs the real mock-api (apps/mock-api/src/main.ts, through tsx) as a child process on a free
 * port: a separate process, as in production, and no import across app boundaries.
 */
export interface MockApiProcess {
  readonly url: string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '../../../..');

export async function startMockApi(env: Record<string, string>): Promise<MockApiProcess> {
  const child: ChildProcess = spawn(
    path.join(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'apps/mock-api/tsconfig.json', 'apps/mock-api/src/main.ts'],
    {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`mock-api did not start: ${stderr.join('')}`)),
      60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-api exited with ${code}: ${stderr.join('')}`));
    });
    readline
      .createInterface({ input: child.stdout as NodeJS.ReadableStream })
      .on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'mock-api listening' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a log line
        }
      });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
