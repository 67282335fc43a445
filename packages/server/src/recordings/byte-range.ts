import { AppError } from '@pause-recording/core';

/** A `Range: bytes=...` header as asked, before the size is known (RFC 9110 §14.1.2). */
export type RangeSpec = { readonly start: number; readonly end: number | null } | { readonly suffix: number };

/** The part of a `size`-byte body to send, or why none can be. */
export type ResolvedRange =
  { readonly kind: 'whole' } | { readonly kind: 'part'; readonly start: number; readonly end: number } | { readonly kind: 'unsatisfiable' };

const MALFORMED = 'range: must be one byte range, bytes=START-END, bytes=START- or bytes=-LENGTH';

/**
 * The single byte range a `Range` header asks for; null when there is none or when it asks for
 * several (which the RFC lets a server answer whole). A malformed one is refused (416, naming
 * `range`) rather than silently served whole.
 */
export function parseRangeHeader(header: string | undefined): RangeSpec | null {
  if (header === undefined) return null;
  const h = header.trim();
  if (/^bytes=[^,]*,/.test(h)) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h);
  if (m === null || (m[1] === '' && m[2] === '')) throw new AppError('RANGE_NOT_SATISFIABLE', MALFORMED, { field: 'range' });
  if (m[1] === '') return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === '' ? null : Number(m[2]);
  if (end !== null && end < start) throw new AppError('RANGE_NOT_SATISFIABLE', `range: ends (${end}) before it starts (${start})`, { field: 'range' });
  return { start, end };
}

/** Where `spec` falls in a body of `size` bytes: an end past the last byte is cut to it. */
export function resolveRange(spec: RangeSpec | null, size: number): ResolvedRange {
  if (spec === null) return { kind: 'whole' };
  if ('suffix' in spec) {
    if (spec.suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start: spec.start, end: spec.end === null ? size - 1 : Math.min(spec.end, size - 1) };
}

/** Bytes `start..end` (inclusive) of a stream; stops reading (and so cancels the source) past `end`. */
export async function* sliceBytes(source: AsyncIterable<Uint8Array>, start: number, end: number): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for await (const chunk of source) {
    const from = Math.max(0, start - pos);
    const to = Math.min(chunk.length, end + 1 - pos);
    if (to > from) yield chunk.subarray(from, to);
    pos += chunk.length;
    if (pos > end) return;
  }
}
