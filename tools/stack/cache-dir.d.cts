/** See cache-dir.cjs: GEOSTREAM_CACHE_DIR, else /var/cache/geostream as root, else ~/.cache/geostream. */
export declare function geostreamCacheDir(
  env: NodeJS.ProcessEnv,
  uid?: number,
  home?: string,
): string;
