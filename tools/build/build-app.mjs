// Bundles one app into dist/<root>/main.js: the @geostream libs are compiled in (they are
// source in this repo), npm packages stay external and come from node_modules at run time.
import { build } from 'esbuild';
import path from 'node:path';

const root = process.argv[2];
if (!root) throw new Error('usage: build-app.mjs <project root>');
await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile: path.join('dist', root, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  tsconfig: path.join(root, 'tsconfig.json'),
  packages: 'external',
  logLevel: 'warning',
});
