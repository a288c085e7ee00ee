/**
 * Server-sent events framing (WHATWG HTML, "Server-sent events"). Pure: returns the text to
 * write. Data is one line of JSON (JSON.stringify never emits a raw line break), so one
 * `data:` line carries it.
 */
export function sseEvent(event: string, data: unknown, id?: string): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** How long the browser waits before reconnecting after the stream drops. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing out an idle stream. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';
