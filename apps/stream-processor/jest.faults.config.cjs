// The long fault tests (`npx nx run stream-processor:faults-long`): not run by CI, which runs the
// lean variants (apps/producer's integration tests). A three-node cluster of their own each.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stream-processor-faults',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/integration/**/*.faults.spec.ts'],
  testTimeout: 300_000,
};
