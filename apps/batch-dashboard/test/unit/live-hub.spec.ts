import { createLiveHub, type LiveEvent } from '../../src/live/live-hub';
import { sseEvent, sseRetry } from '../../src/live/sse';

const status = (s: 'live' | 'down') => ({ kind: 'status', status: s }) as const;

describe('live hub', () => {
  it('sends every event to every subscriber, with increasing ids', () => {
    const hub = createLiveHub({ instanceId: 'i1' });
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    hub.subscribe((e) => a.push(e));
    const stopB = hub.subscribe((e) => b.push(e));
    hub.publish(status('live'));
    stopB();
    hub.publish(status('down'));
    expect(a.map((e) => e.id)).toEqual(['i1.1', 'i1.2']);
    expect(b.map((e) => e.id)).toEqual(['i1.1']);
  });

  it('replays what a reconnecting browser missed, while this instance still holds it', () => {
    const hub = createLiveHub({ instanceId: 'i1', bufferSize: 3 });
    for (let i = 0; i < 5; i++) hub.publish(status('live'));
    expect(hub.replaySince('i1.3')).toEqual({
      complete: true,
      events: [expect.objectContaining({ id: 'i1.4' }), expect.objectContaining({ id: 'i1.5' })],
    });
    expect(hub.replaySince('i1.5')).toEqual({ complete: true, events: [] });
    expect(hub.replaySince('i1.1')).toEqual({ complete: false }); // evicted
    expect(hub.replaySince('other.3')).toEqual({ complete: false }); // a restarted server
    expect(hub.replaySince('i1.99')).toEqual({ complete: false });
  });

  it('keeps serving others when one listener throws', () => {
    const hub = createLiveHub({ instanceId: 'i1' });
    const seen: string[] = [];
    hub.subscribe(() => {
      throw new Error('broken socket');
    });
    hub.subscribe((e) => seen.push(e.id));
    hub.publish(status('live'));
    hub.publish(status('down'));
    expect(seen).toEqual(['i1.1', 'i1.2']);
    expect(hub.listenerCount()).toBe(1);
  });
});

describe('SSE framing', () => {
  it('frames an event with id, name and one line of JSON', () => {
    expect(sseEvent('alert', { a: 'x\ny' }, 'i1.7')).toBe(
      'id: i1.7\nevent: alert\ndata: {"a":"x\\ny"}\n\n',
    );
    expect(sseRetry(2000)).toBe('retry: 2000\n\n');
  });
});
