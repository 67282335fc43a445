import { sidProblem, type SidKind } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';

/**
 * A path segment such as `CA123.json`: strips only the final extension (the SID itself
 * may contain a dot, as `Twilio.CURRENT` does) and checks the SID's shape.
 */
export function sidSegment(file: string, kind: SidKind | null, ext = 'json'): string {
  const suffix = `.${ext}`;
  if (!file.endsWith(suffix)) throw TwilioHttpError.notFound(`${file} (resource paths end in ${suffix})`);
  const sid = file.slice(0, -suffix.length);
  if (kind) {
    const problem = sidProblem(kind, sid);
    if (problem) throw TwilioHttpError.notFoundBecause(`The requested resource was not found: '${sid}' is not a valid SID (${problem})`);
  }
  return sid;
}

export interface Page<T> {
  items: T[];
  meta: Record<string, unknown>;
}

/**
 * Twilio paging over a list, newest first: `PageSize` (default 50) and `Page` (from 0), already
 * checked by the route's query schema. Other query parameters (filters) are kept in the page URIs.
 */
export function paginate<T>(all: T[], q: Readonly<Record<string, unknown>> & { PageSize?: number; Page?: number }, path: string): Page<T> {
  const pageSize = q.PageSize ?? 50;
  const page = q.Page ?? 0;
  const start = page * pageSize;
  const items = all.slice(start, start + pageSize);
  const filters = Object.entries(q)
    .filter(([k]) => k !== 'PageSize' && k !== 'Page' && k !== 'PageToken')
    .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('');
  const uriFor = (p: number) => `${path}?PageSize=${pageSize}&Page=${p}${filters}`;
  return {
    items,
    meta: {
      first_page_uri: uriFor(0),
      end: start + Math.max(items.length - 1, 0),
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      uri: uriFor(page),
      page_size: pageSize,
      start,
      next_page_uri: start + pageSize < all.length ? uriFor(page + 1) : null,
      page,
    },
  };
}
