import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('redacts tokens, passwords, auth tokens and Authorization headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info({ password: 'hunter2', token: 'tok-1', authToken: 'at-1', body: { Token: 'flex-1' } }, 'a');
    log.info({ req: { headers: { authorization: 'Basic c2VjcmV0' } } }, 'b');
    const text = lines.join('');
    for (const secret of ['hunter2', 'tok-1', 'at-1', 'flex-1', 'c2VjcmV0']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
