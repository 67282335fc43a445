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

describe('query redaction', () => {
  it('redacts credentials however the parameter name is spelled (percent-encoded, case, plus)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ loggerInstance: createLogger('info', sink) as FastifyBaseLogger });
    const seen: unknown[] = [];
    app.get('/api/x', async (request) => {
      seen.push(request.query);
      return { ok: true };
    });
    const spellings = ['%74oken=S1', 'Tok%65n=S2', '%54%4F%4B%45%4E=S3', 'access%5Ftoken=S4', 'ticket=S5', 'pass%77ord=S6', '%ZZtoken=S7', '%20token=S8'];
    for (const q of spellings) await app.inject({ url: `/api/x?a=1&${q}&b=2` });
    await app.close();
    // The parser itself reads these as credential keys: the log must not carry their values.
    expect((seen[0] as Record<string, string>)['token']).toBe('S1');
    const text = lines.join('');
    for (let i = 1; i <= 8; i++) expect(text).not.toContain(`S${i}`);
    expect(text).toContain('/api/x?a=1&%74oken=[redacted]&b=2');
    expect(redactUrl('/a?x=%74oken&y=2')).toBe('/a?x=%74oken&y=2');
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
