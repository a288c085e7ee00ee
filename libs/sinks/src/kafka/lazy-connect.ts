/** Connects on first use, once; a failed attempt is forgotten so the next call tries again. */
export function lazyConnect(connect: () => Promise<void>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= connect().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}
