// Builds one publishable lib into dist/<root>: tsc emits CommonJS + declarations, then the
// package.json and README are copied beside them so `npm install dist/libs/<lib>` works in
// other site projects. Sibling @geostream libs resolve to their built declarations
// (see each tsconfig.lib.json), which is why build depends on ^build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = process.argv[2];
if (!root) throw new Error('usage: build-lib.mjs <project root>');
const outDir = path.join('dist', root);
rmSync(outDir, { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', path.join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
if (existsSync(path.join(root, 'README.md')))
  copyFileSync(path.join(root, 'README.md'), path.join(outDir, 'README.md'));
