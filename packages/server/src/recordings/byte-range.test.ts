import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRangeHeader, resolveRange, sliceBytes } from './byte-range.ts';

describe('parseRangeHeader / resolveRange', () => {
  it('resolves start-end, open-ended and suffix ranges against the size, cutting an end past the last byte', () => {
    const at = (h: string, size: number) => resolveRange(parseRangeHeader(h), size);
    expect(at('bytes=0-9', 100)).toEqual({ kind: 'part', start: 0, end: 9 });
    expect(at('bytes=90-', 100)).toEqual({ kind: 'part', start: 90, end: 99 });
    expect(at('bytes=90-500', 100)).toEqual({ kind: 'part', start: 90, end: 99 });
    expect(at('bytes=-10', 100)).toEqual({ kind: 'part', start: 90, end: 99 });
    expect(at('bytes=-500', 100)).toEqual({ kind: 'part', start: 0, end: 99 });
    expect(at('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(at('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(resolveRange(parseRangeHeader(undefined), 100)).toEqual({ kind: 'whole' });
    // Several ranges: answered whole, as the RFC allows.
    expect(parseRangeHeader('bytes=0-1,5-6')).toBeNull();
  });

  it('refuses malformed ones with 416 naming the range', () => {
    for (const bad of ['bytes=', 'bytes=-', 'bytes=a-b', 'items=0-1', 'bytes=5-1', '0-1']) {
      expect(() => parseRangeHeader(bad), bad).toThrow(expect.objectContaining({ code: 'RANGE_NOT_SATISFIABLE', status: 416, field: 'range' }));
    }
  });
});

describe('sliceBytes', () => {
  it('yields exactly the asked bytes across chunk boundaries and stops reading after them', async () => {
    const chunks = [Buffer.from('abcd'), Buffer.from('efgh'), Buffer.from('ijkl')];
    let read = 0;
    const source = Readable.from(
      (function* () {
        for (const c of chunks) {
          read++;
          yield c;
        }
      })(),
    );
    const out: Buffer[] = [];
    for await (const c of sliceBytes(source, 2, 5)) out.push(Buffer.from(c));
    expect(Buffer.concat(out).toString()).toBe('cdef');
    expect(read).toBe(2);
  });
});
