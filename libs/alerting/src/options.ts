/**
 * Rules beyond "raise when a threshold is reached, clear when it is not". All off by default,
 * so evaluation is exactly the classification of each window mean.
 */
export interface AlertingOptions {
  /** Consecutive evaluated windows a higher level must hold before it is raised (default 1). */
  readonly raiseAfterWindows?: number;
  /** Consecutive evaluated windows a lower level must hold before it clears (default 1). */
  readonly clearAfterWindows?: number;
  /**
   * Hysteresis, in the reading's unit (default 0): a raised level clears only once the value is
   * back past its threshold by more than this margin, so a value hovering at a threshold does
   * not raise and clear on every window.
   */
  readonly clearMargin?: number;
}

export interface ResolvedAlertingOptions {
  readonly raiseAfterWindows: number;
  readonly clearAfterWindows: number;
  readonly clearMargin: number;
}

/** Options with defaults applied; rejects nonsense at construction rather than per window. */
export function resolveAlertingOptions(options: AlertingOptions = {}): ResolvedAlertingOptions {
  const resolved = {
    raiseAfterWindows: options.raiseAfterWindows ?? 1,
    clearAfterWindows: options.clearAfterWindows ?? 1,
    clearMargin: options.clearMargin ?? 0,
  };
  for (const name of ['raiseAfterWindows', 'clearAfterWindows'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
      throw new RangeError(`${name} must be a whole number >= 1, got ${resolved[name]}`);
    }
  }
  if (!Number.isFinite(resolved.clearMargin) || resolved.clearMargin < 0) {
    throw new RangeError(`clearMargin must be a finite number >= 0, got ${resolved.clearMargin}`);
  }
  return resolved;
}
