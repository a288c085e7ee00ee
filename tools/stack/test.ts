import { spawnSync } from 'node:child_process';
import { loadStackContext } from './context';
import { formatStatus, SERVICES } from './main';

/**
 * `npm test`: every test of the product. Brings up the services the integration and browser tests
 * need, runs unit tests (with lint, typecheck and build), then integration tests against the real
 * Kafka, PostgreSQL and Elasticsearch, then end-to-end tests (browser; the five apps started as
 * `npm start` does, for a minute), then the long fault test (a broker of a three-node cluster of
 * its own lost mid-run), and stops what it started (services
 * that were already running are left as they were). GEOSTREAM_KEEP_STACK=1 keeps them up.
 */
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0' };

function nx(title: string, args: readonly string[]): boolean {
  process.stdout.write(`\n=== ${title}: nx ${args.join(' ')}\n`);
  const result = spawnSync('npx', ['nx', ...args, '--outputStyle=static'], {
    stdio: 'inherit',
    env: nxEnv,
  });
  return result.status === 0;
}

async function main(): Promise<number> {
  const context = loadStackContext();
  const runningBefore = new Set(
    (await Promise.all(SERVICES.map((s) => s.status(context))))
      .filter((s) => s.healthy)
      .map((s) => s.service),
  );
  let ok = false;
  try {
    process.stdout.write(`=== Node ${process.version} (${process.execPath}) runs the tests\n`);
    process.stdout.write('=== Local stack: up\n');
    const statuses = [];
    for (const service of SERVICES) statuses.push(await service.up(context));
    process.stdout.write(`${formatStatus(statuses)}\n`);
    const steps: Array<[string, string[]]> = [
      [
        'Unit tests, lint, typecheck, build',
        ['run-many', '-t', 'lint', 'typecheck', 'test', 'build'],
      ],
      [
        'Integration tests (real Kafka, PostgreSQL, Elasticsearch)',
        ['run-many', '-t', 'integration', '--parallel=1'],
      ],
      [
        'End-to-end tests (headless Chromium; the five apps as npm start runs them)',
        ['run-many', '-t', 'e2e', '--parallel=1'],
      ],
      [
        'Fault test: a broker of three lost under the producer and the processor (about 100 s)',
        ['run', 'stream-processor:faults-long'],
      ],
    ];
    ok = true;
    for (const [title, args] of steps) {
      if (!nx(title, args)) {
        ok = false;
        process.stdout.write(`\n*** ${title}: FAILED\n`);
        if (process.env['GEOSTREAM_TEST_CONTINUE'] !== '1') break;
      }
    }
  } finally {
    if (process.env['GEOSTREAM_KEEP_STACK'] === '1') {
      process.stdout.write('\nGEOSTREAM_KEEP_STACK=1: leaving the stack up.\n');
    } else {
      process.stdout.write('\n=== Local stack: stopping what this run started\n');
      for (const service of [...SERVICES].reverse()) {
        if (!runningBefore.has(service.name))
          process.stdout.write(`${await service.down(context)}\n`);
      }
    }
  }
  process.stdout.write(ok ? '\nAll tests passed.\n' : '\nTests FAILED.\n');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
