import { ConfigError } from '@geostream/platform';
import { loadStackContext, type StackContext } from './context';
import { elasticsearchService } from './elasticsearch';
import { kafkaService } from './kafka';
import { postgresService } from './postgres';
import type { ServiceStatus, StackService } from './service';

/**
 * `npm run stack -- up|down|status`: the local stack (Kafka, PostgreSQL, Elasticsearch) without
 * Docker. `up` is idempotent and waits for each service to be healthy; `down` stops only what
 * `up` started. Logs: .stack/logs/.
 */
export const SERVICES: readonly StackService[] = [
  postgresService,
  kafkaService,
  elasticsearchService,
];

export async function stackUp(context: StackContext): Promise<ServiceStatus[]> {
  // Started one after the other: on two cores, two JVMs booting together are slower than in turn.
  const statuses: ServiceStatus[] = [];
  for (const service of SERVICES) {
    process.stdout.write(`${service.name}: starting or checking ...\n`);
    statuses.push(await service.up(context));
  }
  return statuses;
}

export async function stackDown(context: StackContext): Promise<string[]> {
  const results: string[] = [];
  for (const service of [...SERVICES].reverse()) results.push(await service.down(context));
  return results;
}

export function formatStatus(statuses: readonly ServiceStatus[]): string {
  return statuses
    .map((s) => {
      const state = s.owner === 'off' ? 'off' : s.healthy ? 'healthy' : 'NOT RUNNING';
      return `  ${s.service.padEnd(14)} ${state.padEnd(12)} ${s.endpoint}  ${s.detail}${s.logFile ? `  (log: ${s.logFile})` : ''}`;
    })
    .join('\n');
}

/** `--brokers N` sets STACK_KAFKA_BROKERS (validated with the rest of the settings). */
export function applyOptions(args: readonly string[], env: NodeJS.ProcessEnv): void {
  const index = args.indexOf('--brokers');
  if (index >= 0) env['STACK_KAFKA_BROKERS'] = args[index + 1] ?? '';
}

async function main(command: string | undefined): Promise<number> {
  applyOptions(process.argv.slice(3), process.env);
  const context = loadStackContext();
  switch (command) {
    case 'up': {
      const statuses = await stackUp(context);
      process.stdout.write(`Stack is up:\n${formatStatus(statuses)}\n`);
      return 0;
    }
    case 'down': {
      for (const line of await stackDown(context)) process.stdout.write(`${line}\n`);
      return 0;
    }
    case 'status': {
      const statuses = await Promise.all(SERVICES.map((service) => service.status(context)));
      process.stdout.write(`${formatStatus(statuses)}\n`);
      return statuses.every((s) => s.healthy) ? 0 : 3;
    }
    default:
      process.stderr.write('usage: npm run stack -- up|down|status [--brokers 1|3]\n');
      return 2;
  }
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
