import { loadStackContext } from './context';
import { APPS, buildDashboardAssets, startApps } from './apps';
import { formatStatus, stackUp } from './main';

/**
 * `npm start`: the whole product on this machine. Brings the stack up, builds the dashboard's
 * browser bundle, then runs the five apps with their output made readable: one line per event,
 * coloured on a terminal, each prefixed with its app's name (see apps.ts). Ctrl-C stops the
 * apps; the stack stays up for the next start (`npm run stack -- down` stops it). If an app
 * exits by itself, the others are stopped too, and the exit code says it failed.
 */
async function main(): Promise<void> {
  const context = loadStackContext();
  const statuses = await stackUp(context);
  process.stdout.write(`Stack is up:\n${formatStatus(statuses)}\n\n`);
  buildDashboardAssets(context.repoRoot);
  process.stdout.write(`Starting ${APPS.join(', ')} (Node ${process.version})\n`);

  const colour =
    process.env['NO_COLOR'] === undefined &&
    (process.stdout.isTTY === true || process.env['FORCE_COLOR'] !== undefined);
  let failed = false;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await apps.stop();
      process.exit(failed ? 1 : 0);
    })());
  const apps = startApps({
    repoRoot: context.repoRoot,
    // The apps listen on 127.0.0.1 with their default ports (PORT is per app: set it only when
    // serving one app alone with `npx nx serve <app>`). They start one after the other.
    env: process.env,
    colour,
    onLine: (line) => process.stdout.write(`${line.display}\n`),
    onExit: (app, code, signal) => {
      process.stdout.write(
        `\n>>> ${app} exited (${signal ?? `code ${code}`}): stopping the others\n`,
      );
      failed = true;
      void stop();
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
  await apps.ready;
  process.stdout.write(
    `\n>>> Dashboard: ${apps.urls['batch-dashboard'] ?? 'not started (see above)'}\n` +
      '>>> Stop with Ctrl-C; stop the stack with: npm run stack -- down\n\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
