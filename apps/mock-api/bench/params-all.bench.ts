/**
 * mock-api throughput: requests/s of GET /params/all (and one type) for a 1,000-instrument-per-
 * type site, with autocannon. The server runs in its own process so the load generator does not
 * share its event loop. Run: NX_DAEMON=false npx nx bench mock-api
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(__dirname, '../../..');
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 15);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 4);

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    path.join(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'apps/mock-api/tsconfig.json', 'apps/mock-api/src/main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SIM_INSTRUMENTS_PER_TYPE: '1000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`mock-api exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'mock-api listening' && entry.url) resolve(entry.url);
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function run(url: string): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    // Warm up the JIT before measuring.
    await autocannon({ url: `${server.url}/params/all`, connections: 2, duration: 3 });
    const rows = [];
    for (const route of ['/params/all', '/params/piezometer']) {
      const result = await run(`${server.url}${route}`);
      const readingsPerResponse = route === '/params/all' ? 5000 : 1000;
      rows.push({
        route,
        'requests/s': Math.round(result.requests.average),
        'readings/s': Math.round(result.requests.average * readingsPerResponse),
        'latency p50 ms': result.latency.p50,
        'latency p99 ms': result.latency.p99,
        'MB/s': (result.throughput.average / 1e6).toFixed(1),
        errors: result.errors + result.non2xx,
      });
    }
    console.log(
      `mock-api, 1,000 instruments per type (5,000 on site), ${CONNECTIONS} connections, ${DURATION_S} s per route`,
    );
    console.table(rows);
    console.log(
      `${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
