import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/**
 * The real producer (apps/producer/src/main.ts, through tsx) as a child process, so a test can
 * SIGKILL it: nothing flushed, nothing closed, as a power cut.
 */
export interface ProducerProcess {
  /** Log lines (JSON) it wrote so far. */
  readonly lines: Array<{ level?: number; msg?: string; [key: string]: unknown }>;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null>;
}

const root = path.resolve(__dirname, '../../../..');

/** Starts it and resolves once it has read its cursors and started polling. */
export async function startProducerProcess(env: Record<string, string>): Promise<ProducerProcess> {
  // node with tsx's loader, not the tsx CLI: the CLI runs the script in a child process of its
  // own, which a SIGKILL of the CLI would leave running.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/producer/src/main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: 'apps/producer/tsconfig.json',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_FORMAT: 'json',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: ProducerProcess['lines'] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the producer did not start polling: ${stderr.join('')}`)),
      60_000,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the producer exited with ${code}: ${stderr.join('')}`));
    });
    readline
      .createInterface({ input: child.stdout as NodeJS.ReadableStream })
      .on('line', (line) => {
        try {
          const entry = JSON.parse(line) as ProducerProcess['lines'][number];
          lines.push(entry);
          if (/resuming polling|no saved cursor/.test(entry.msg ?? '')) {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          // not a log line
        }
      });
  });
  return {
    lines,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
