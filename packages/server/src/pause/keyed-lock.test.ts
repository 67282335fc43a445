import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.ts';

describe('KeyedLock', () => {
  it('serialises operations on one key and keeps going after a failure', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = lock.run('t', async () => {
      log.push('a-start');
      await gate;
      log.push('a-end');
      throw new Error('a failed');
    });
    const b = lock.run('t', async () => {
      log.push('b');
      return 2;
    });
    const other = lock.run('u', async () => {
      log.push('other');
    });
    await other;
    expect(log).toEqual(['a-start', 'other']);
    release();
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe(2);
    expect(log).toEqual(['a-start', 'other', 'a-end', 'b']);
  });
});
