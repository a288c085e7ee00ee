import { windowsFor, type WindowedRecord, type WindowSpec } from '../src';
import { exactSum } from '../src/testing';

/** A window as the naive oracle computes it: group by key and window, then aggregate. */
export interface OracleWindow {
  readonly partition: number;
  readonly key: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
  /** The correctly rounded sum of the values. */
  readonly sum: number;
  readonly sumOfMagnitudes: number;
  readonly min: number;
  readonly max: number;
  readonly firstEventTimeMs: number;
  readonly lastEventTimeMs: number;
  readonly latestMeta: unknown;
  readonly minOffset: number;
  readonly maxOffset: number;
}

/**
 * Keeps the first delivery of each (partition, key, event time), groups by key and window
 * (sessions: split a key's sorted times wherever two are a gap or more apart) and aggregates.
 */
export function oracleWindows<M>(
  spec: WindowSpec,
  records: readonly WindowedRecord<M>[],
): OracleWindow[] {
  const firsts = new Map<string, WindowedRecord<M>>();
  for (const r of records) {
    const id = `${r.partition}|${r.key}|${r.eventTimeMs}`;
    if (!firsts.has(id)) firsts.set(id, r);
  }
  const groups = new Map<
    string,
    { partition: number; key: string; start: number; end: number; members: WindowedRecord<M>[] }
  >();
  const put = (r: WindowedRecord<M>, start: number, end: number) => {
    const id = `${r.partition}|${r.key}|${start}`;
    let group = groups.get(id);
    if (!group)
      groups.set(id, (group = { partition: r.partition, key: r.key, start, end, members: [] }));
    group.members.push(r);
  };
  if (spec.kind === 'session') {
    const byKey = new Map<string, WindowedRecord<M>[]>();
    for (const r of firsts.values()) {
      const id = `${r.partition}|${r.key}`;
      byKey.set(id, [...(byKey.get(id) ?? []), r]);
    }
    for (const members of byKey.values()) {
      members.sort((a, b) => a.eventTimeMs - b.eventTimeMs);
      let session: WindowedRecord<M>[] = [];
      const flush = () => {
        const times = session.map((r) => r.eventTimeMs);
        const first = Math.min(...times);
        const last = Math.max(...times);
        for (const r of session) put(r, first, last + spec.gapMs);
      };
      for (const r of members) {
        const previous = session[session.length - 1];
        if (previous && r.eventTimeMs - previous.eventTimeMs >= spec.gapMs) {
          flush();
          session = [];
        }
        session.push(r);
      }
      flush();
    }
  } else {
    for (const r of firsts.values())
      for (const w of windowsFor(spec, r.eventTimeMs)) put(r, w.startMs, w.endMs);
  }
  return [...groups.values()].map(({ partition, key, start, end, members }) => {
    const values = members.map((r) => r.value);
    const latest = members.reduce((a, b) => (b.eventTimeMs > a.eventTimeMs ? b : a));
    return {
      partition,
      key,
      windowStartMs: start,
      windowEndMs: end,
      count: members.length,
      sum: exactSum(values),
      sumOfMagnitudes: values.reduce((s, v) => s + Math.abs(v), 0),
      min: Math.min(...values),
      max: Math.max(...values),
      firstEventTimeMs: Math.min(...members.map((r) => r.eventTimeMs)),
      lastEventTimeMs: Math.max(...members.map((r) => r.eventTimeMs)),
      latestMeta: latest.meta,
      minOffset: Math.min(...members.map((r) => r.offset)),
      maxOffset: Math.max(...members.map((r) => r.offset)),
    };
  });
}

export function byWindowIdentity(
  a: { partition: number; key: string; windowStartMs: number },
  b: { partition: number; key: string; windowStartMs: number },
): number {
  return (
    a.partition - b.partition ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
    a.windowStartMs - b.windowStartMs
  );
}
