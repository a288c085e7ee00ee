import path from 'node:path';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { readReprocessConfig } from '../../src/config';

describe('README', () => {
  it('names every variable readReprocessConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    expect(
      compareReadmeDefaults(readReprocessConfig, [
        path.join(repo, 'tools/reprocess/README.md'),
        path.join(repo, 'README.md'),
      ]),
    ).toEqual({ differing: [], undocumented: [] });
  });
});
