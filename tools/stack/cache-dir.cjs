// @ts-check
'use strict';
const { createHash } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');

/**
 * The one rule for where geostream keeps downloads outside the repository (Kafka jars, the
 * Elasticsearch distribution, Node.js runtimes): GEOSTREAM_CACHE_DIR if set, else
 * /var/cache/geostream as root, else $XDG_CACHE_HOME/geostream (~/.cache/geostream).
 * Plain CommonJS with no dependencies, so that `ensure-node.mjs` can use it under any Node
 * before `npm ci`, and the stack (TypeScript) imports the same function.
 *
 * @param {NodeJS.ProcessEnv} env
 * @param {number | undefined} uid the effective user id (process.getuid?.())
 * @param {string} home the user's home directory
 * @returns {string}
 */
function geostreamCacheDir(env, uid = process.getuid?.(), home = os.homedir()) {
  return path.resolve(
    env['GEOSTREAM_CACHE_DIR'] ??
      (uid === 0
        ? '/var/cache/geostream'
        : path.join(env['XDG_CACHE_HOME'] ?? path.join(home, '.cache'), 'geostream')),
  );
}

/**
 * Where one checkout keeps its services' state under the cache directory (Elasticsearch, which
 * runs as another user when we are root, cannot write in the checkout): one directory per
 * checkout path, so two clones on one machine never share data.
 *
 * @param {string} cacheDir
 * @param {string} repoRoot
 * @returns {string}
 */
function checkoutStateDir(cacheDir, repoRoot) {
  const checkoutId = createHash('sha256').update(repoRoot).digest('hex').slice(0, 10);
  return path.join(cacheDir, 'checkouts', checkoutId);
}

module.exports = { geostreamCacheDir, checkoutStateDir };
