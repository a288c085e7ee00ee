import {
  CellStyleModule,
  ColumnApiModule,
  ColumnAutoSizeModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  PaginationModule,
  RowStyleModule,
  createGrid,
  themeQuartz,
  type ColDef,
  type GridApi,
  type IDatasource,
  type IGetRowsParams,
  type SortModelItem,
} from 'ag-grid-community';
import { getJson, queryString, type QueryValue } from './api';
import { h } from './dom';
import {
  INSTRUMENT_TYPES,
  LEVELS,
  TYPE_LABELS,
  formatNumber,
  formatTime,
  instrumentHash,
} from './format';
import type { HistoryPage, WindowRow } from './types';

ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  PaginationModule,
  RowStyleModule,
  CellStyleModule,
  ColumnApiModule,
  ColumnAutoSizeModule,
]);

const PAGE_SIZE = 100;

/** Grid columns that sort on the server, by the API's sort key (only indexed orders). */
const SORT_KEY_BY_COLUMN: Record<string, 'time' | 'instrument'> = {
  window_start: 'time',
  borehole_number: 'instrument',
};

export interface HistoryFilters {
  type: string[];
  borehole: string;
  from: string;
  to: string;
  level: string[];
}

function filterParams(filters: HistoryFilters): Record<string, QueryValue> {
  return {
    type: filters.type,
    borehole: filters.borehole.trim() || undefined,
    from: filters.from ? new Date(filters.from).toISOString() : undefined,
    to: filters.to ? new Date(filters.to).toISOString() : undefined,
    level: filters.level,
  };
}

function sortParams(sortModel: SortModelItem[]): { sort: string; dir: string } {
  const first = sortModel[0];
  const key = first ? SORT_KEY_BY_COLUMN[first.colId] : undefined;
  return key && first ? { sort: key, dir: first.sort } : { sort: 'time', dir: 'desc' };
}

/**
 * The Infinite Row Model asks for blocks of rows; the server pages by keyset, so each block is
 * fetched with the cursor the block before it returned. A block reached without its
 * predecessor (a jump) falls back to an offset. Any change of sort or filter starts over.
 */
function createDatasource(filters: HistoryFilters, onTotal: (text: string) => void): IDatasource {
  const cursors = new Map<number, string>();
  let sortKey = '';
  return {
    getRows(params: IGetRowsParams) {
      const sort = sortParams(params.sortModel);
      const key = JSON.stringify(sort);
      if (key !== sortKey) {
        cursors.clear();
        sortKey = key;
      }
      const cursor = cursors.get(params.startRow);
      const query = {
        ...filterParams(filters),
        ...sort,
        limit: params.endRow - params.startRow,
        ...(params.startRow === 0
          ? { total: true }
          : cursor
            ? { after: cursor }
            : { offset: params.startRow }),
      };
      getJson<HistoryPage>('/api/history', query).then(
        (page) => {
          if (page.nextCursor) cursors.set(params.endRow, page.nextCursor);
          if (page.total) {
            onTotal(
              page.total.exact
                ? `${page.total.value.toLocaleString('en')} windows`
                : `about ${page.total.value.toLocaleString('en')} windows`,
            );
          }
          params.successCallback(page.rows, page.hasMore ? -1 : params.startRow + page.rows.length);
        },
        (error: unknown) => {
          onTotal(`Could not load: ${error instanceof Error ? error.message : String(error)}`);
          params.failCallback();
        },
      );
    },
  };
}

const number = (field: keyof WindowRow, headerName: string): ColDef<WindowRow> => ({
  field,
  headerName,
  type: 'rightAligned',
  valueFormatter: (p) => (typeof p.value === 'number' ? formatNumber(p.value) : ''),
  width: 110,
});

const columns: ColDef<WindowRow>[] = [
  {
    field: 'window_start',
    headerName: 'Window start (UTC)',
    sortable: true,
    sortingOrder: ['desc', 'asc'],
    valueFormatter: (p) => (typeof p.value === 'string' ? formatTime(p.value) : ''),
    width: 190,
  },
  {
    field: 'instrument',
    headerName: 'Type',
    valueFormatter: (p) => (p.value ? TYPE_LABELS[p.value as WindowRow['instrument']] : ''),
    width: 160,
  },
  {
    field: 'borehole_number',
    headerName: 'Instrument',
    sortable: true,
    sortingOrder: ['asc', 'desc'],
    cellClass: 'link-cell',
    width: 170,
  },
  number('reading_mean', 'Mean'),
  number('reading_min', 'Min'),
  number('reading_max', 'Max'),
  { field: 'reading_count', headerName: 'Count', type: 'rightAligned', width: 90 },
  { field: 'unit', headerName: 'Unit', width: 80 },
  {
    field: 'trigger_level',
    headerName: 'Level',
    width: 100,
    cellClass: (p) => (p.value ? `level-cell level-${String(p.value)}` : ''),
  },
  number('surface_level', 'Surface level'),
  number('northing', 'Northing'),
  number('easting', 'Easting'),
];

export const dashboardTheme = themeQuartz.withParams({
  fontFamily: 'inherit',
  headerFontFamily: 'inherit',
  cellFontFamily: 'inherit',
  fontSize: 13,
  spacing: 6,
});

let currentFilters: HistoryFilters = { type: [], borehole: '', from: '', to: '', level: [] };

export function renderHistory(root: HTMLElement, styleNonce: string): () => void {
  const total = h('span', { class: 'total', id: 'history-total' }, '');
  const csv = h(
    'a',
    { class: 'button', id: 'history-csv', download: 'geostream-history.csv' },
    'Export CSV',
  );
  const typeSelect = h(
    'select',
    { id: 'filter-type', multiple: true, size: 5, 'aria-label': 'Instrument types' },
    ...INSTRUMENT_TYPES.map((t) =>
      h('option', { value: t, selected: currentFilters.type.includes(t) }, TYPE_LABELS[t]),
    ),
  );
  const levelSelect = h(
    'select',
    { id: 'filter-level', multiple: true, size: 4, 'aria-label': 'Trigger levels' },
    ...LEVELS.map((l) => h('option', { value: l, selected: currentFilters.level.includes(l) }, l)),
  );
  const borehole = h('input', {
    id: 'filter-borehole',
    type: 'search',
    placeholder: 'e.g. PZ-0042',
    value: currentFilters.borehole,
  });
  const from = h('input', {
    id: 'filter-from',
    type: 'datetime-local',
    step: 1,
    value: currentFilters.from,
  });
  const to = h('input', {
    id: 'filter-to',
    type: 'datetime-local',
    step: 1,
    value: currentFilters.to,
  });
  const gridHost = h('div', { class: 'grid', id: 'history-grid' });

  const selected = (select: HTMLSelectElement) => [...select.selectedOptions].map((o) => o.value);
  const read = (): HistoryFilters => ({
    type: selected(typeSelect),
    level: selected(levelSelect),
    borehole: borehole.value,
    from: from.value,
    to: to.value,
  });

  const grid: GridApi<WindowRow> = createGrid(gridHost, {
    theme: dashboardTheme,
    styleNonce,
    columnDefs: columns,
    defaultColDef: { sortable: false, resizable: true },
    rowModelType: 'infinite',
    cacheBlockSize: PAGE_SIZE,
    pagination: true,
    paginationPageSize: PAGE_SIZE,
    paginationPageSizeSelector: false,
    maxConcurrentDatasourceRequests: 1,
    infiniteInitialRowCount: 1,
    maxBlocksInCache: 50,
    getRowId: (p) => p.data.id,
    getRowClass: (p) =>
      p.data && p.data.trigger_level !== 'none' ? `row-level-${p.data.trigger_level}` : undefined,
    onCellClicked: (event) => {
      if (event.colDef.field === 'borehole_number' && event.data) {
        window.location.hash = instrumentHash(event.data.instrument, event.data.borehole_number);
      }
    },
    onSortChanged: () => updateCsv(),
  });

  function updateCsv(): void {
    const sort = sortParams(
      grid
        .getColumnState()
        .filter((c) => c.sort)
        .map((c) => ({ colId: c.colId, sort: c.sort as 'asc' | 'desc' })),
    );
    csv.href = `/api/history.csv${queryString({ ...filterParams(currentFilters), ...sort })}`;
  }

  function apply(): void {
    currentFilters = read();
    total.textContent = 'Loading…';
    grid.setGridOption(
      'datasource',
      createDatasource(currentFilters, (text) => (total.textContent = text)),
    );
    updateCsv();
  }

  const form = h(
    'form',
    {
      class: 'filters',
      id: 'history-filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        apply();
      },
    },
    h('label', {}, 'Type', typeSelect),
    h('label', {}, 'Instrument id', borehole),
    h('label', {}, 'From (local time)', from),
    h('label', {}, 'To', to),
    h('label', {}, 'Level', levelSelect),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', id: 'filter-apply' }, 'Apply'),
      csv,
      total,
    ),
  );

  root.replaceChildren(
    h('h2', {}, 'History'),
    h(
      'p',
      { class: 'hint' },
      'Sort by window start or instrument (click the header). Click an instrument to open it.',
    ),
    form,
    gridHost,
  );
  apply();
  return () => grid.destroy();
}
