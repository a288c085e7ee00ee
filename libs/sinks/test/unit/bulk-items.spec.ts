import type { WindowRecord } from '@geostream/instrument-schemas';
import { bulkItemReason, classifyBulkItemStatus } from '../../src';
import { sortBulkItems } from '../../src/elasticsearch/bulk-outcome';
import { windowRecords } from '../support/records';

describe('classifyBulkItemStatus', () => {
  it.each([
    [200, 'done'],
    [201, 'done'],
    [400, 'reject'],
    [404, 'reject'],
    [413, 'reject'],
    [408, 'retry'],
    [409, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ] as const)('status %i -> %s', (status, outcome) => {
    expect(classifyBulkItemStatus(status)).toBe(outcome);
  });
});

describe('sortBulkItems', () => {
  const [a, b, c, d] = windowRecords(4) as [WindowRecord, WindowRecord, WindowRecord, WindowRecord];

  it('pairs items with records by position: written, retried and rejected', () => {
    const outcome = sortBulkItems(
      [a, b, c, d],
      [
        { index: { status: 201 } },
        {
          index: {
            status: 429,
            error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
          },
        },
        {
          index: {
            status: 400,
            error: {
              type: 'document_parsing_exception',
              reason: 'failed to parse field [reading_mean]',
              caused_by: { type: 'illegal_argument_exception', reason: 'bad double' },
            },
          },
        },
        { index: { status: 200 } },
      ],
    );
    expect(outcome.written).toBe(2);
    expect(outcome.retry).toEqual([b]);
    expect(outcome.retryReason).toBe('429 es_rejected_execution_exception: queue full');
    expect(outcome.rejected).toEqual([
      {
        record: c,
        status: 400,
        reason:
          'document_parsing_exception: failed to parse field [reading_mean] (caused by illegal_argument_exception: bad double)',
      },
    ]);
  });

  it('retries a record the response has no item for: never assume it was written', () => {
    const outcome = sortBulkItems([a, b], [{ index: { status: 201 } }]);
    expect(outcome.written).toBe(1);
    expect(outcome.retry).toEqual([b]);
  });
});

describe('bulkItemReason', () => {
  it('falls back to the status when Elasticsearch gives no error', () => {
    expect(bulkItemReason({ status: 500 })).toBe('status 500');
  });
});
