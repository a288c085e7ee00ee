import path from 'node:path';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { readStreamProcessorConfig } from '../../src/config';

describe('README', () => {
  it('names every variable readStreamProcessorConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const readmes = [
      path.join(repo, 'apps/stream-processor/README.md'),
      path.join(repo, 'README.md'),
    ];
    expect(compareReadmeDefaults(readStreamProcessorConfig, readmes)).toEqual({
      differing: [],
      undocumented: [],
    });
  });
});
