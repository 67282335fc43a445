import { describe, expect, it } from 'vitest';
import { FaultInjector, globMatch, MAX_FAULT_PATTERN } from './faults.ts';

describe('FaultInjector', () => {
  it('validates rules', () => {
    const f = new FaultInjector();
    expect(() => f.add({ path: '/x', action: 'status' })).toThrow('fault status must be one of 429, 500, 502, 503, 504');
    expect(() => f.add({ path: '/x', action: 'status', status: 404 })).toThrow('fault status must be one of');
    expect(() => f.add({ path: '/x', action: 'delay' })).toThrow('fault delayMs must be a number >= 0');
    expect(() => f.add({ path: '/x', action: 'delay', delayMs: -1 })).toThrow('delayMs');
    expect(() => f.add({ path: '/x', action: 'hang', times: -1 })).toThrow('fault times must be an integer >= 0');
    expect(() => f.add({ path: '/x', action: 'hang', times: 1.5 })).toThrow('times');
    expect(f.list()).toEqual([]);
  });

  it('matches by path substring or glob and by method (any case)', () => {
    const f = new FaultInjector();
    f.add({ path: '/Recordings/', method: 'post', action: 'status', status: 503, times: 0 });
    f.add({ path: '*/Calls/CA*.json', glob: true, method: 'delete', action: 'drop', times: 0 });
    expect(f.take('GET', '/2010-04-01/Accounts/AC1/Calls/CA1/Recordings/RE1.json')).toBeNull();
    expect(f.take('POST', '/2010-04-01/Accounts/AC1/Calls/CA1/Recordings/RE1.json')).toMatchObject({ action: 'status', status: 503, method: 'POST' });
    expect(f.take('DELETE', '/2010-04-01/Accounts/AC1/Calls/CAab12.json')).toMatchObject({ action: 'drop' });
    expect(f.take('GET', '/2010-04-01/Accounts/AC1/Calls.json')).toBeNull();
    // A glob covers the whole path: the same text with more after it does not match.
    expect(f.take('DELETE', '/2010-04-01/Accounts/AC1/Calls/CAab12.json?x=1')).toBeNull();
  });

  it('globMatch: * is any run of characters, everything else literal (no regex meaning)', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true],
      ['*', '/anything/at/all', true],
      ['/a/*/c', '/a/b/c', true],
      ['/a/*/c', '/a/b/x/c', true],
      ['/a/*/c', '/a/b/c/d', false],
      ['*/Recordings/*', '/2010-04-01/Accounts/AC1/Calls/CA1/Recordings/RE1.json', true],
      ['*/Recordings/*', '/Recordings/', true],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['*ab*ab*', 'xabyab', true],
      ['*ab*ab*', 'xaby', false],
      ['/Calls.json', '/Calls.json', true],
      ['/Calls.json', '/CallsXjson', false],
      ['(a+)+$', '(a+)+$', true],
      ['[0-9]', '5', false],
      ['', '', true],
      ['', 'x', false],
    ];
    for (const [pattern, text, want] of cases) expect(globMatch(pattern, text), `${pattern} ~ ${text}`).toBe(want);
  });

  it('a pathological pattern cannot stall matching: no backtracking, bounded length', () => {
    const f = new FaultInjector();
    // As a regex, (a*)*b against a long run of a's is the classic catastrophic case; as a glob
    // the same kind of pattern is a handful of indexOf calls.
    const pattern = `${'*a'.repeat(20)}*c*b`;
    f.add({ path: pattern, glob: true, times: 0, action: 'drop' });
    const text = `/${'a'.repeat(100_000)}b`;
    let steps = 0;
    const original = String.prototype.indexOf;
    // Count the searches rather than time them (timing would be flaky on a loaded machine).
    String.prototype.indexOf = function (this: string, ...args: Parameters<string['indexOf']>) {
      steps++;
      return original.apply(this, args);
    };
    try {
      expect(f.take('GET', text)).toBeNull();
    } finally {
      String.prototype.indexOf = original;
    }
    expect(steps).toBeLessThanOrEqual(pattern.split('*').length);
    expect(() => f.add({ path: '*'.repeat(MAX_FAULT_PATTERN + 1), glob: true, action: 'drop' })).toThrow(`at most ${MAX_FAULT_PATTERN} characters`);
    expect(() => f.add({ path: '', action: 'drop' })).toThrow('non-empty');
  });

  it('the first matching rule wins', () => {
    const f = new FaultInjector();
    f.add({ path: '/Calls', action: 'status', status: 429, times: 0 });
    f.add({ path: '/Calls', action: 'status', status: 500, times: 0 });
    expect(f.take('GET', '/Calls.json')?.status).toBe(429);
  });

  it('times: 1 by default, n for n requests, 0 until cleared; hits are counted', () => {
    const f = new FaultInjector();
    const once = f.add({ path: '/a', action: 'hang' });
    f.add({ path: '/b', action: 'status', status: 500, times: 2 });
    const forever = f.add({ path: '/c', action: 'delay', delayMs: 5, times: 0 });
    expect(f.take('GET', '/a')).toMatchObject({ id: once, action: 'hang', hits: 1 });
    expect(f.take('GET', '/a')).toBeNull();
    expect(f.take('GET', '/b')?.hits).toBe(1);
    expect(f.take('GET', '/b')?.hits).toBe(2);
    expect(f.take('GET', '/b')).toBeNull();
    for (let i = 1; i <= 5; i++) expect(f.take('GET', '/c')).toMatchObject({ id: forever, hits: i, delayMs: 5 });
    expect(f.hits).toBe(1 + 2 + 5);
    expect(f.list().map((r) => r.id)).toEqual([forever]);
  });

  it('remove, clear and list', () => {
    const f = new FaultInjector();
    const a = f.add({ path: '/a', action: 'hang' });
    const b = f.add({ path: '/b', action: 'drop' });
    expect(f.list().map((r) => [r.id, r.path, r.action, r.times, r.hits])).toEqual([
      [a, '/a', 'hang', 1, 0],
      [b, '/b', 'drop', 1, 0],
    ]);
    // list() hands out copies.
    f.list()[0]!.hits = 99;
    expect(f.list()[0]!.hits).toBe(0);
    expect(f.remove(a)).toBe(true);
    expect(f.remove(a)).toBe(false);
    expect(f.list().map((r) => r.id)).toEqual([b]);
    f.clear();
    expect(f.list()).toEqual([]);
    expect(f.take('GET', '/b')).toBeNull();
  });
});
