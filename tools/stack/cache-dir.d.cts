/** See cache-dir.cjs: GEOSTREAM_CACHE_DIR, else /var/cache/geostream as root, else ~/.cache/geostream. */
export declare function geostreamCacheDir(
  env: NodeJS.ProcessEnv,
  uid?: number,
  home?: string,
): string;

/** See cache-dir.cjs: one directory per checkout path under the cache directory. */
export declare function checkoutStateDir(cacheDir: string, repoRoot: string): string;
