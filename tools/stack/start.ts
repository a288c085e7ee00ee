import { spawn } from 'node:child_process';
import { loadStackContext } from './context';
import { formatStatus, stackUp } from './main';

/**
 * `npm start`: the whole product on this machine. Brings the stack up, then serves the five apps
 * with `nx run-many -t serve`. Ctrl-C stops the apps; the stack stays up for the next start
 * (`npm run stack -- down` stops it).
 */
async function main(): Promise<void> {
  const context = loadStackContext();
  const statuses = await stackUp(context);
  process.stdout.write(`Stack is up:\n${formatStatus(statuses)}\n\n`);
  const apps = spawn(
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'serve',
      '-p',
      'mock-api',
      'producer',
      'stream-processor',
      'batch-dashboard',
      'alarm-manager',
      '--parallel=5',
      '--outputStyle=stream',
    ],
    { stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' } },
  );
  // The apps listen on 127.0.0.1 with their default ports (PORT is per app: set it only when
  // serving one app alone with `npx nx serve <app>`).
  const dashboard = 'http://127.0.0.1:8000/dashboard/';
  const banner = setTimeout(() => {
    process.stdout.write(
      `\n>>> Dashboard: ${dashboard}\n>>> Stop with Ctrl-C; stop the stack with: npm run stack -- down\n\n`,
    );
  }, 8_000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => apps.kill(signal));
  apps.on('exit', (code) => {
    clearTimeout(banner);
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
