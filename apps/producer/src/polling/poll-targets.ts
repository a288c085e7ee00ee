import type { InstrumentType } from '@geostream/instrument-schemas';

/** What the producer polls: one instrument type per request, or every type at once. */
export type PollTarget = InstrumentType | 'all';

export function targetUrl(apiUrl: URL, target: PollTarget): string {
  return new URL(`params/${target}`, apiUrl.href.endsWith('/') ? apiUrl : `${apiUrl.href}/`).href;
}
