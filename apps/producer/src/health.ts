import type { HealthReport } from '@geostream/platform';
import type { FlowState } from './delivery/backpressure';
import type { SenderStatus } from './delivery/transactional-sender';
import type { PollOutcome } from './polling/poller';

/**
 * /health. `ok`: Kafka reachable, the buffer below its bound, the API answering. `degraded`
 * (still HTTP 200): Kafka unreachable while the buffer still has room, so fetched readings are
 * safe in memory and polling goes on; or the API failing. `down` (HTTP 503): the buffer is full
 * and polling has stopped, so readings are not being collected.
 */
export interface HealthInputs {
  readonly flow: FlowState;
  readonly buffered: number;
  readonly maxBuffered: number;
  readonly sender: SenderStatus;
  readonly polls: ReadonlyArray<{
    readonly target: string;
    readonly outcome: PollOutcome | undefined;
  }>;
}

export function healthReport(inputs: HealthInputs): HealthReport {
  const failing = inputs.polls.filter((p) => p.outcome === 'failed' || p.outcome === 'unparsed');
  const kafka = inputs.sender.kafkaReachable
    ? { ok: true }
    : { ok: false, detail: inputs.sender.lastError ?? 'not reached yet' };
  const buffer = {
    ok: inputs.flow === 'flowing',
    detail: `${inputs.buffered} of ${inputs.maxBuffered} readings buffered${inputs.flow === 'paused' ? '; polling paused' : ''}`,
  };
  const api =
    failing.length === 0
      ? { ok: true }
      : { ok: false, detail: `last poll failed for ${failing.map((p) => p.target).join(', ')}` };
  const status = !buffer.ok ? 'down' : !kafka.ok || !api.ok ? 'degraded' : 'ok';
  return { status, checks: { kafka, buffer, api } };
}
