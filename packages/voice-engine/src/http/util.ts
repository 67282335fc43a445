import type { FastifyRequest } from 'fastify';
import { sidProblem, type SidKind } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import type { Params } from '../support/params.ts';

/** Form (or JSON) body as a parameter bag; an empty body is an empty bag. */
export function bodyParams(req: FastifyRequest): Params {
  const b = req.body;
  if (b === undefined || b === null || b === '') return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw TwilioHttpError.badRequest('Request body must be form-encoded parameters');
  return b as Params;
}

export function queryParams(req: FastifyRequest): Params {
  return (req.query ?? {}) as Params;
}

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

/** Twilio paging: `PageSize` (1..1000, default 50) and `Page` (from 0); newest first. */
export function paginate<T>(all: T[], req: FastifyRequest, path: string): Page<T> {
  const q = queryParams(req);
  const sizeRaw = q['PageSize'];
  const pageRaw = q['Page'];
  const pageSize = sizeRaw === undefined ? 50 : Number(sizeRaw);
  const page = pageRaw === undefined ? 0 : Number(pageRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw TwilioHttpError.invalid('PageSize', `must be an integer 1..1000; got '${String(sizeRaw)}'`);
  }
  if (!Number.isInteger(page) || page < 0) throw TwilioHttpError.invalid('Page', `must be an integer >= 0; got '${String(pageRaw)}'`);
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
