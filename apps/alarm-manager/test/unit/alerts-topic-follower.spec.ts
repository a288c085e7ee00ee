import { createLogger } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import type { CurrentVersion } from '@geostream/sinks';
import type { AlertsConsumer } from '../../src/shell/alerts-consumer';
import {
  startAlertsTopicFollower,
  type AlertsTopicFollower,
} from '../../src/shell/alerts-topic-follower';

const logger = createLogger('alerts-topic-follower-test', 'silent');

/** A registry the test sets, and consumers that record what they read and when they stopped. */
function fixture(initial: CurrentVersion | undefined | Error) {
  let registry = initial;
  const log: string[] = [];
  const failStarts = new Map<string, number>();
  return {
    log,
    set(next: CurrentVersion | undefined | Error) {
      registry = next;
    },
    failNextStarts(topic: string, times: number) {
      failStarts.set(topic, times);
    },
    currentVersion: async () => {
      if (registry instanceof Error) throw registry;
      return registry;
    },
    startConsumer: async (topic: string): Promise<AlertsConsumer> => {
      const failures = failStarts.get(topic) ?? 0;
      if (failures > 0) {
        failStarts.set(topic, failures - 1);
        throw new Error(`topic ${topic} not there yet`);
      }
      log.push(`start ${topic}`);
      return {
        isConsuming: () => true,
        lastError: () => undefined,
        stop: async () => {
          log.push(`stop ${topic}`);
        },
      };
    },
  };
}

const version = (name: string, alertsTopic: string): CurrentVersion => ({
  version: name,
  topicPrefix: '',
  topicSuffix: '',
  alertsTopic,
});

describe('alerts topic follower', () => {
  let follower: AlertsTopicFollower | undefined;
  let stopping: AbortController;
  beforeEach(() => {
    stopping = new AbortController();
  });
  afterEach(async () => {
    await follower?.stop();
    follower = undefined;
  });

  const start = (f: ReturnType<typeof fixture>, intervalMs = 20) =>
    startAlertsTopicFollower({
      configuredTopic: 'alerts',
      currentVersion: f.currentVersion,
      startConsumer: f.startConsumer,
      intervalMs,
      logger,
      signal: stopping.signal,
    });

  it('reads the configured topic while the registry names no version', async () => {
    const f = fixture(undefined);
    follower = await start(f);
    expect(follower.topic()).toBe('alerts');
    expect(follower.version()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(f.log).toEqual(['start alerts']);
  });

  it("starts on the current version's topic, and moves with every switch and rollback", async () => {
    const f = fixture(version('v2', 'alerts.v2'));
    const switched: string[] = [];
    follower = await startAlertsTopicFollower({
      configuredTopic: 'alerts',
      currentVersion: f.currentVersion,
      startConsumer: f.startConsumer,
      intervalMs: 20,
      onSwitch: (topic) => switched.push(topic),
      logger,
      signal: stopping.signal,
    });
    expect(follower.topic()).toBe('alerts.v2');
    expect(follower.version()).toBe('v2');

    f.set(version('v3', 'alerts.v3'));
    await eventually(async () => (follower?.topic() === 'alerts.v3' ? true : undefined), {
      what: 'the v3 topic',
    });
    f.set(version('v2', 'alerts.v2'));
    await eventually(async () => (follower?.version() === 'v2' ? true : undefined), {
      what: 'back on v2',
    });
    await eventually(async () => (follower?.consumer() !== undefined ? true : undefined), {
      what: 'the v2 consumer started',
    });
    // The old consumer is stopped before the new one starts: one topic read at a time.
    expect(f.log).toEqual([
      'start alerts.v2',
      'stop alerts.v2',
      'start alerts.v3',
      'stop alerts.v3',
      'start alerts.v2',
    ]);
    expect(switched).toEqual(['alerts.v3', 'alerts.v2']);
  });

  it('keeps the topic it reads when the registry cannot be read, and says why', async () => {
    const f = fixture(version('v2', 'alerts.v2'));
    follower = await start(f);
    f.set(new Error('permission denied for schema geostream_read'));
    await eventually(async () => follower?.registryError(), { what: 'the registry error' });
    expect(follower.registryError()).toBe('permission denied for schema geostream_read');
    expect(follower.topic()).toBe('alerts.v2');
    f.set(version('v2', 'alerts.v2'));
    await eventually(async () => (follower?.registryError() === undefined ? true : undefined), {
      what: 'the registry readable again',
    });
    expect(f.log).toEqual(['start alerts.v2']);
  });

  it('keeps the topic it reads when the registry stops naming a version', async () => {
    const f = fixture(version('v2', 'alerts.v2'));
    follower = await start(f);
    f.set(undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(follower.topic()).toBe('alerts.v2');
    expect(f.log).toEqual(['start alerts.v2']);
  });

  it('retries a topic that cannot be read yet', async () => {
    const f = fixture(version('v2', 'alerts.v2'));
    f.failNextStarts('alerts.v2', 2);
    follower = await start(f);
    expect(follower.consumer()).toBeDefined();
    expect(f.log).toEqual(['start alerts.v2']);
  });

  it('never asks the registry with an interval of 0', async () => {
    const f = fixture(new Error('must not be asked'));
    follower = await start(f, 0);
    expect(follower.topic()).toBe('alerts');
    expect(follower.registryError()).toBeUndefined();
  });
});
