import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CallbackDispatcher, CallbackPolicy, isLoopbackHost, type CallbackLog } from './callbacks.ts';

describe('CallbackPolicy', () => {
  it('loopback, spelled any way the URL parser accepts, is allowed', () => {
    const p = new CallbackPolicy();
    for (const u of [
      'http://127.0.0.1:4400/webhooks/voice',
      'http://127.1.2.3/x',
      'http://localhost:9/x',
      'https://a.localhost/x',
      'http://[::1]:80/x',
      'http://0x7f.1/x',
      'http://2130706433/x',
      'http://[::ffff:127.0.0.1]/x',
    ]) {
      expect(p.refusal(u), u).toBeNull();
    }
  });

  it('anything else is refused with the reason, unless its origin is configured', () => {
    const p = new CallbackPolicy(['https://pause.example.com/some/path']);
    expect(p.origins).toEqual(['https://pause.example.com']);
    expect(p.refusal('https://pause.example.com/webhooks/recording-status')).toBeNull();
    const refused: [string, RegExp][] = [
      ['http://10.0.0.1/cb', /not an allowed callback URL \(allowed: loopback, https:\/\/pause\.example\.com\)/],
      ['http://169.254.169.254/latest', /not an allowed/],
      ['http://pause.example.com/cb', /not an allowed/], // another scheme is another origin
      ['https://pause.example.com:8443/cb', /not an allowed/],
      ['https://pause.example.com.evil.test/cb', /not an allowed/],
      ['http://127.0.0.1.evil.test/cb', /not an allowed/],
      ['http://[::ffff:a00:1]/cb', /not an allowed/],
      ['http://u:p@127.0.0.1/cb', /must not carry credentials/],
      ['ftp://127.0.0.1/x', /must be an http or https URL/],
      ['file:///etc/passwd', /must be an http or https URL/],
      ['/relative', /must be an absolute http\(s\) URL/],
    ];
    for (const [u, why] of refused) expect(p.refusal(u), u).toMatch(why);
    expect(() => new CallbackPolicy(['nope'])).toThrow("callback origin 'nope': must be an absolute http(s) URL");
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});

describe('CallbackDispatcher', () => {
  it('a URL the policy refuses is never requested: logged as not sent, counted as failed', async () => {
    const logs: CallbackLog[] = [];
    const d = new CallbackDispatcher({ authToken: 'engine-dev-token', attempts: 3, backoffMs: 1, timeoutMs: 500, onResult: (l) => logs.push(l) });
    // `.invalid` never resolves: were it requested, the log would show attempts and a network error.
    d.send('k', { url: 'http://engine-callback.invalid/status', method: 'POST' }, { CallSid: 'CA1' });
    await d.drain();
    expect(logs).toEqual([
      expect.objectContaining({
        attempts: 0,
        ok: false,
        status: null,
        error: expect.stringMatching(/^not sent: http:\/\/engine-callback\.invalid\/status is not an allowed callback URL/),
      }),
    ]);
    expect(d.failed).toBe(1);
  });

  it('a redirect is a failed delivery, tried once and not followed', async () => {
    const hits: string[] = [];
    const srv = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/moved') res.writeHead(307, { location: '/elsewhere' }).end();
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const at = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
      const logs: CallbackLog[] = [];
      const d = new CallbackDispatcher({ authToken: 'engine-dev-token', backoffMs: 1, onResult: (l) => logs.push(l) });
      d.send('k', { url: `${at}/moved`, method: 'POST' }, { CallSid: 'CA1' });
      d.send('k', { url: `${at}/fine`, method: 'GET' }, { CallSid: 'CA1' });
      await d.drain();
      expect(hits).toEqual(['/moved', '/fine?CallSid=CA1']);
      expect(logs.map((l) => [l.ok, l.status, l.attempts])).toEqual([
        [false, 307, 1],
        [true, 204, 1],
      ]);
    } finally {
      srv.close();
    }
  });
});
