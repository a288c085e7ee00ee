import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAlive, startProcessor, stopProcessor } from '../../src/processor-child';

// Stand-ins for the stream-processor bundle: tiny scripts that behave as a broken one would.

const dir = mkdtempSync(path.join(tmpdir(), 'reprocess-child-'));
const script = (name: string, body: string) => {
  const file = path.join(dir, `${name}.cjs`);
  writeFileSync(file, body);
  return file;
};
const start = (bundle: string, version: string, readyTimeoutMs?: number) =>
  startProcessor({
    bundle,
    env: { PATH: process.env['PATH'] },
    port: 1, // nothing answers there
    host: '127.0.0.1',
    logDir: dir,
    version,
    ...(readyTimeoutMs !== undefined && { readyTimeoutMs }),
  });

describe('startProcessor', () => {
  it('tells a refused setting from another failure by what this run logged, not an earlier one', async () => {
    const refuses = script(
      'refuses',
      `console.log(JSON.stringify({ msg: 'Invalid configuration:\\n  WINDOW_SIZE_MS: must be an integer' })); process.exit(1);`,
    );
    await expect(start(refuses, 'v7')).rejects.toMatchObject({
      code: 'REPROCESS_SETTING_REFUSED',
      message: expect.stringContaining('WINDOW_SIZE_MS: must be an integer'),
    });
    // Same version name, same log file: the old refusal is still in it.
    const crashes = script('crashes', `console.error('cannot reach PostgreSQL'); process.exit(3);`);
    await expect(start(crashes, 'v7')).rejects.toMatchObject({
      code: 'REPROCESS_PROCESSOR_FAILED',
      message: expect.stringMatching(/code 3[\s\S]*cannot reach PostgreSQL/),
    });
  });

  it('gives up on a processor that never answers /health, and stops it', async () => {
    const pidFile = path.join(dir, 'hangs.pid');
    const hangs = script(
      'hangs',
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); console.log('waiting for Kafka'); setInterval(() => {}, 1000);`,
    );
    await expect(start(hangs, 'v8', 1_500)).rejects.toMatchObject({
      code: 'REPROCESS_PROCESSOR_FAILED',
      message: expect.stringMatching(/did not answer \/health within 2 s[\s\S]*waiting for Kafka/),
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
  }, 15_000);
});

describe('stopProcessor', () => {
  it('kills a processor that does not stop on SIGTERM within the timeout', async () => {
    const stubborn = spawn(
      process.execPath,
      ['-e', `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((resolve) => stubborn.stdout.once('data', resolve));
    const pid = stubborn.pid as number;
    await expect(stopProcessor(pid, 500)).resolves.toBe('killed');
    expect(isAlive(pid)).toBe(false);

    const polite = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000);']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(stopProcessor(polite.pid as number, 5_000)).resolves.toBe('stopped');
  });
});
