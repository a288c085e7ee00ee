import { CURRENT_STATES } from '../src/plan/current-state';
import { h } from './dom';
import {
  INSTRUMENT_TYPES,
  TYPE_LABELS,
  formatClock,
  formatDuration,
  formatNumber,
  formatTime,
  instrumentHash,
} from './format';
import { PlanCanvas, type PlacedDrawing } from './plan-canvas';
import {
  applyLiveWindow,
  changedStates,
  instrumentKey,
  loadPlanData,
  type PlanData,
} from './plan-data';
import { STATE_LABELS, TYPE_SYMBOLS, symbolSwatch } from './plan-symbols';
import { loadUnderlays, renderUnderlayAdmin, type Underlay } from './underlay-admin';
import { compareHash, MAX_COMPARED } from './compare-view';
import type { InstrumentType, LiveWindow } from './types';

/**
 * Plan (#/plan): every instrument where it is (easting, northing), coloured by its worst current
 * state, its symbol by type, over the site drawings; zoom, pan, fit; hover for its latest value,
 * click to open it; filters by type and state; a lasso (or shift-drag) to pick instruments to
 * compare. Live windows recolour instruments at once (a change of state flashes); the whole plan
 * reloads every minute for what only the server judges (silence, clock health, alarms).
 */
const RELOAD_MS = 60_000;

export interface PlanView {
  onWindow(window: LiveWindow): void;
  reload(): void;
  leave(): void;
}

export function renderPlan(root: HTMLElement): PlanView {
  const abort = new AbortController();
  const status = h('span', { class: 'total', id: 'plan-status' }, 'Loading…');
  const readout = h('span', { class: 'plan-readout', id: 'plan-readout' });
  const tooltip = h('div', { class: 'plan-tooltip', id: 'plan-tooltip', hidden: true });
  const host = h('div', { class: 'plan-host', id: 'plan-host' });
  const selectionInfo = h('span', { id: 'plan-selection' }, 'No instruments selected.');
  const compareLink = h('a', { class: 'button', id: 'plan-compare', hidden: true }, 'Compare');
  const legendCounts = new Map<number, HTMLElement>();
  const adminHost = h('div', {});
  let data: PlanData | undefined;

  const canvas = new PlanCanvas(host, {
    open(i) {
      if (!data) return;
      window.location.hash = instrumentHash(
        INSTRUMENT_TYPES[data.type[i] as number] as InstrumentType,
        data.id[i] as string,
      );
    },
    hover(i, clientX, clientY) {
      if (i === undefined || !data) {
        tooltip.hidden = true;
        return;
      }
      showTooltip(tooltip, data, i, canvas.isFlashing(i));
      const rect = host.getBoundingClientRect();
      tooltip.style.left = `${Math.min(clientX - rect.left + 14, rect.width - 260)}px`;
      tooltip.style.top = `${clientY - rect.top + 14}px`;
      tooltip.hidden = false;
    },
    select(indices) {
      if (!data) return;
      canvas.selection = new Set(indices);
      canvas.requestDraw();
      showSelection(indices);
    },
    pointer(e, n) {
      readout.textContent = `E ${formatNumber(e, 1)}  N ${formatNumber(n, 1)}`;
    },
  });

  function showSelection(indices: number[]): void {
    if (!data || indices.length === 0) {
      selectionInfo.textContent = 'No instruments selected.';
      compareLink.hidden = true;
      return;
    }
    const d = data;
    // The worst first: a lasso over a busy area should compare what matters.
    const chosen = [...indices]
      .sort((a, b) => (d.state[b] as number) - (d.state[a] as number))
      .slice(0, MAX_COMPARED);
    selectionInfo.textContent =
      `${indices.length} selected` +
      (indices.length > MAX_COMPARED ? ` (the ${MAX_COMPARED} worst are compared)` : '') +
      ': ' +
      chosen.map((i) => d.id[i]).join(', ');
    compareLink.href = compareHash(
      chosen.map((i) => [
        INSTRUMENT_TYPES[d.type[i] as number] as InstrumentType,
        d.id[i] as string,
      ]),
    );
    compareLink.hidden = false;
  }

  const checkbox = (
    id: string,
    label: Node | string,
    checked: boolean,
    onChange: (on: boolean) => void,
  ) => {
    const input = h('input', { type: 'checkbox', id, checked });
    input.addEventListener('change', () => onChange(input.checked));
    return h('label', { class: 'check' }, input, label);
  };
  const typeFilters = h(
    'fieldset',
    { class: 'plan-filter', id: 'plan-types' },
    h('legend', {}, 'Type'),
    ...INSTRUMENT_TYPES.map((type, t) =>
      checkbox(
        `plan-type-${type}`,
        h('span', {}, symbolSwatch(TYPE_SYMBOLS[type], '#c9d3dd'), TYPE_LABELS[type]),
        true,
        (on) => {
          if (on) canvas.visibleTypes.add(t);
          else canvas.visibleTypes.delete(t);
          canvas.requestDraw();
        },
      ),
    ),
  );
  const stateFilters = h(
    'fieldset',
    { class: 'plan-filter plan-legend', id: 'plan-states' },
    h('legend', {}, 'State (worst first)'),
    ...[...CURRENT_STATES.keys()].reverse().map((s) => {
      const state = CURRENT_STATES[s] as (typeof CURRENT_STATES)[number];
      const count = h('span', { class: 'count' }, '');
      legendCounts.set(s, count);
      return checkbox(
        `plan-state-${state}`,
        h(
          'span',
          {},
          h('span', { class: `state-swatch state-${state}` }),
          `${STATE_LABELS[state]} `,
          count,
        ),
        true,
        (on) => {
          if (on) canvas.visibleStates.add(s);
          else canvas.visibleStates.delete(s);
          canvas.invalidate();
        },
      );
    }),
  );
  const lassoButton = h('button', { type: 'button', id: 'plan-lasso', class: 'button' }, 'Lasso');
  lassoButton.addEventListener('click', () => {
    canvas.lassoMode = !canvas.lassoMode;
    lassoButton.classList.toggle('active', canvas.lassoMode);
  });
  const clear = h(
    'button',
    { type: 'button', class: 'button', id: 'plan-clear' },
    'Clear selection',
  );
  clear.addEventListener('click', () => {
    canvas.selection = new Set();
    canvas.requestDraw();
    showSelection([]);
  });
  const fit = h('button', { type: 'button', id: 'plan-fit', class: 'button' }, 'Fit to site');
  fit.addEventListener('click', () => canvas.fit());

  root.replaceChildren(
    h('h2', {}, 'Plan'),
    h(
      'p',
      { class: 'hint' },
      'Drag to pan, wheel to zoom, hover for the latest value, click to open an instrument. ' +
        'Lasso (or shift-drag) picks instruments to compare.',
    ),
    h(
      'div',
      { class: 'plan-toolbar' },
      fit,
      lassoButton,
      clear,
      compareLink,
      selectionInfo,
      status,
    ),
    h(
      'div',
      { class: 'plan-layout' },
      h('div', { class: 'plan-stage' }, host, tooltip, readout),
      h('aside', { class: 'plan-side' }, stateFilters, typeFilters),
    ),
    adminHost,
  );

  function updateCounts(): void {
    const counts = CURRENT_STATES.map(() => 0);
    if (data)
      for (let i = 0; i < data.count; i++)
        counts[data.state[i] as number] = (counts[data.state[i] as number] as number) + 1;
    for (const [s, element] of legendCounts)
      element.textContent = `(${(counts[s] as number).toLocaleString('en')})`;
  }

  async function load(): Promise<void> {
    const previous = data;
    const started = performance.now();
    const next = await loadPlanData(abort.signal, (partial) => {
      if (!previous) {
        data = partial;
        canvas.setData(partial);
        status.textContent = `${partial.count.toLocaleString('en')} instruments…`;
      }
    });
    // The selection survives a reload: same instruments, at their indices in the new data.
    const selected = previous
      ? [...canvas.selection].flatMap((i) => {
          const j = next.index.get(
            instrumentKey(
              INSTRUMENT_TYPES[previous.type[i] as number] as string,
              previous.id[i] as string,
            ),
          );
          return j === undefined ? [] : [j];
        })
      : [];
    data = next;
    canvas.setData(next);
    if (previous) for (const i of changedStates(previous, next)) canvas.flash(i);
    canvas.selection = new Set(selected);
    showSelection(selected);
    updateCounts();
    status.textContent = `${next.count.toLocaleString('en')} instruments, loaded in ${Math.round(performance.now() - started)} ms`;
    status.dataset['loaded'] = String(next.count);
  }

  async function loadDrawings(notice = ''): Promise<void> {
    const underlays = await loadUnderlays(abort.signal);
    adminHost.replaceChildren(
      renderUnderlayAdmin(underlays, (next) => void loadDrawings(next).catch(showError), notice),
    );
    canvas.setDrawings(await Promise.all(underlays.map(placeDrawing)));
  }

  function showError(error: unknown): void {
    if (error instanceof DOMException && error.name === 'AbortError') return;
    status.textContent = `Could not load: ${error instanceof Error ? error.message : String(error)}`;
  }

  void load().catch(showError);
  void loadDrawings().catch(showError);
  const timer = window.setInterval(() => void load().catch(showError), RELOAD_MS);

  return {
    onWindow(record) {
      if (!data) return;
      const changed = applyLiveWindow(data, record);
      if (changed === undefined) return; // a new instrument: the next reload places it
      if (changed >= 0) {
        canvas.flash(changed);
        updateCounts();
      }
      canvas.setData(data, false);
    },
    reload() {
      void load().catch(showError);
    },
    leave() {
      window.clearInterval(timer);
      abort.abort();
      canvas.destroy();
    },
  };
}

function placeDrawing(underlay: Underlay): Promise<PlacedDrawing> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () =>
      resolve({
        image,
        width: underlay.width,
        height: underlay.height,
        transform: underlay.transform as unknown as PlacedDrawing['transform'],
        opacity: underlay.opacity,
      });
    image.onerror = () => reject(new Error(`drawing "${underlay.name}" could not be loaded`));
    image.src = underlay.image_url;
  });
}

function showTooltip(tooltip: HTMLElement, data: PlanData, i: number, flashing: boolean): void {
  const type = INSTRUMENT_TYPES[data.type[i] as number] as InstrumentType;
  const state = CURRENT_STATES[data.state[i] as number] as (typeof CURRENT_STATES)[number];
  const notes: string[] = [];
  if (data.noData[i])
    notes.push(`no data for ${formatDuration(Date.now() - (data.lastReadingAt[i] as number))}`);
  const clock = data.clock[i];
  if (clock !== undefined && clock !== 'ok')
    notes.push(formatClock(clock, data.clockOffsetMs[i] ?? null));
  tooltip.replaceChildren(
    h('strong', { class: 'tooltip-id' }, data.id[i] as string),
    h('div', {}, TYPE_LABELS[type]),
    h(
      'div',
      {},
      h('span', { class: `state-swatch state-${state}` }),
      ` ${STATE_LABELS[state]}${flashing ? ' (changed)' : ''}`,
    ),
    ...notes.map((note) => h('div', { class: 'tooltip-note' }, note)),
    h(
      'div',
      { class: 'tooltip-value' },
      `${formatNumber(data.value[i] as number)} ${data.units[type] ?? ''}`,
    ),
    h('div', {}, `at ${formatTime(new Date(data.lastReadingAt[i] as number).toISOString())}`),
    h(
      'div',
      { class: 'tooltip-coords' },
      `E ${formatNumber(data.easting[i] as number, 1)}, N ${formatNumber(data.northing[i] as number, 1)}`,
    ),
  );
}
