import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2 } from '../../src/kafka-partitioner';

// kafkajs' own murmur2 (Long arithmetic), which its DefaultPartitioner uses.
const kafkajsMurmur2 = createRequire(require.resolve('kafkajs'))(
  './src/producer/partitioners/default/murmur2',
) as (key: string | Buffer) => number;

const args = (key: string | Buffer | null, partitions: number, partition?: number) =>
  ({
    topic: 't',
    partitionMetadata: Array.from({ length: partitions }, (_, i) => ({
      partitionId: i,
      leader: 0,
    })),
    message: { key, value: 'v', ...(partition !== undefined && { partition }) },
  }) as unknown as PartitionerArgs;

describe('murmur2 and the Java-compatible partitioner', () => {
  it("hash every key as kafkajs' (and so the Java client's) murmur2 does", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (key) => {
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
        expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
      }),
      { numRuns: 2_000 },
    );
    // Keys as the processor writes them (window ids) and Kafka's own test vector ("21").
    for (const key of [
      'piezometer:PZ-1|2024-01-01T00:00:10.000Z',
      'strain_gauge:SG-S3-12',
      '',
      '21',
    ])
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    expect(murmur2('21')).toBe(-973932308);
  });

  it('chooses the partition kafkajs DefaultPartitioner chooses, keyed or not', () => {
    const ours = JavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (key, partitions) => {
          expect(ours(args(key, partitions))).toBe(theirs(args(key, partitions)));
        },
      ),
      { numRuns: 2_000 },
    );
    expect(ours(args('k', 6, 4))).toBe(4); // an explicit partition wins
    expect(ours(args(null, 6))).toBeLessThan(6); // no key: round robin
  });
});
