import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '@geostream/platform';
import { ASSET_PREFIX } from './pages';

/**
 * The browser bundle (app.js, app.css, built by scripts/build-web.mjs) lives next to the built
 * main.js in `public/`. Under `nx serve` (tsx runs the sources) it is the same folder in dist,
 * which the serve target builds first.
 */
export function locateWebAssets(mainDir: string): string {
  const candidates = [
    path.join(mainDir, 'public'),
    path.resolve(mainDir, '../../../dist/apps/batch-dashboard/public'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'app.js')));
  if (!found) {
    throw new ConfigError([
      {
        variable: 'DASHBOARD_ASSETS_DIR',
        message: `web assets not built (looked in ${candidates.join(', ')}): run npx nx build-web batch-dashboard`,
      },
    ]);
  }
  return found;
}

export async function registerStaticAssets(app: FastifyInstance, assetsDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: assetsDir,
    prefix: ASSET_PREFIX,
    decorateReply: false,
    index: false,
    // Fixed file names, so the browser revalidates (ETag) instead of keeping an old bundle.
    cacheControl: true,
    maxAge: 0,
    etag: true,
    schemaHide: true,
  });
}
