/**
 * The baselines, in their own process: a bare fastify route and a bare node:http route, each
 * answering a POST with a small JSON body (the size of a task recording state). No auth, no
 * storage, no round trips: the ceiling a route on this machine can reach.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { ChildStats, ToChild } from './engine-proc.ts';

const BODY = { status: 'paused', recordings: [{ sid: 'RE00000000000000000000000000000000', status: 'paused' }], pausedAt: '2026-01-01T00:00:00.000Z' };

const app = Fastify({ logger: false });
app.post('/bare', async () => BODY);
await app.listen({ host: '127.0.0.1', port: 0 });
const fastifyUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const raw = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const text = JSON.stringify(BODY);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
const httpUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;

process.on('message', (m: ToChild) => {
  void (async () => {
    if (m.type === 'stats')
      process.send!({ type: 'stats', id: m.id, stats: { cpu: process.cpuUsage(), mem: process.memoryUsage(), wallMs: performance.now() } as ChildStats });
    else if (m.type === 'close') {
      await app.close();
      raw.close();
      process.send!({ type: 'ok', id: m.id });
      setTimeout(() => process.exit(0), 50);
    } else process.send!({ type: 'ok', id: m.id });
  })();
});

process.send!({ type: 'ready', url: `${fastifyUrl} ${httpUrl}`, accountSid: '', authToken: '', pid: process.pid });
