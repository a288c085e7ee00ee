import { getJson } from './api';
import { h } from './dom';
import type { InstrumentSummary } from './types';

/**
 * A search box over /api/instruments (part of the id), listing the matches as the user types;
 * `item` renders one match (a link to open it, to add it to a comparison, ...).
 */
export function renderInstrumentPicker(options: {
  idPrefix: string;
  placeholder: string;
  signal: AbortSignal;
  item: (instrument: InstrumentSummary) => Array<Node | string>;
}): HTMLElement {
  const results = h('ul', { class: 'picker-results', id: `${options.idPrefix}-results` });
  const input = h('input', {
    type: 'search',
    id: `${options.idPrefix}-input`,
    placeholder: options.placeholder,
    autocomplete: 'off',
  });
  let timer: number | undefined;
  const search = async (): Promise<void> => {
    const { instruments } = await getJson<{ instruments: InstrumentSummary[] }>(
      '/api/instruments',
      { q: input.value, limit: 20 },
      options.signal,
    );
    results.replaceChildren(...instruments.map((i) => h('li', {}, ...options.item(i))));
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search().catch(() => undefined), 200);
  });
  return h('div', { class: 'picker' }, input, results);
}
