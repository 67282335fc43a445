import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createLogger, redactUrl } from './logger.ts';

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

describe('request logging', () => {
  it('keeps a token in the query string out of the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ loggerInstance: createLogger('info', sink) as FastifyBaseLogger });
    app.get('/api/events', async () => ({ ok: true }));
    await app.inject({ url: '/api/events?token=SECRET123&x=1', headers: { authorization: 'Bearer ABC' } });
    await app.close();
    const text = lines.join('');
    expect(text).toContain('/api/events?token=[redacted]&x=1');
    expect(text).not.toContain('SECRET123');
    expect(text).not.toContain('Bearer ABC');
    expect(redactUrl('/a?password=p&Token=t')).toBe('/a?password=[redacted]&Token=[redacted]');
  });
});
