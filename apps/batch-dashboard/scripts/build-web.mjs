// Bundles the browser app (web/) into static files the server serves from /dashboard/assets/:
// app.js (ag-grid, uPlot and our code) and app.css (our styles and uPlot's, imported by
// web/main.ts). Everything is local: no CDN at run time, since site networks are often
// offline. Usage: node build-web.mjs [outdir]
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(process.argv[2] ?? 'dist/apps/batch-dashboard/public');

await build({
  entryPoints: { app: path.join(appRoot, 'web/main.ts') },
  outdir,
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  tsconfig: path.join(appRoot, 'web/tsconfig.json'),
  legalComments: 'linked',
  logLevel: 'warning',
});
