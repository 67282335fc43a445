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

describe('pretty format (npm start)', () => {
  it('writes one human line per entry, not JSON, with secrets still redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink, 'pretty');
    log.info({ phoneNumber: '+15550001111', token: 'tok-9' }, 'phone number routes to this server');
    log.debug('below the level');
    const text = lines.join('');
    const entries = text.trimEnd().split('\n');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: phone number routes to this server /);
    expect(entries[0]).toContain('"+15550001111"');
    expect(() => JSON.parse(entries[0]!) as unknown).toThrow();
    expect(text).not.toContain('tok-9');
    expect(text).not.toContain('"pid"');
  });

  it("shortens Fastify's request lines and keeps query tokens out", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ loggerInstance: createLogger('info', sink, 'pretty') as FastifyBaseLogger });
    app.get('/api/events', async () => ({ ok: true }));
    await app.inject({ url: '/api/events?token=SECRET123' });
    await app.close();
    const entries = lines.join('').trimEnd().split('\n');
    expect(entries.map((l) => l.replace(/^\[[^\]]+\] /, '').replace(/\d+ ms$/, 'N ms'))).toEqual([
      'INFO: req-1 GET /api/events?token=[redacted]',
      'INFO: req-1 200 in N ms',
    ]);
  });
});
