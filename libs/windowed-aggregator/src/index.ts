/** Event-time windowing core: filled in by the windowed-aggregator issue. */
export interface TumblingWindowSpec {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
  readonly graceMs: number;
}
