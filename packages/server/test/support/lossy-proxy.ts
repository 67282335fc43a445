/**
 * A real HTTP proxy in front of the engine that can lose answers: the request reaches the engine
 * and takes effect, but the client's connection is cut before the response. The engine's own
 * fault injection cannot cause this ("applied, answer lost"), so tests of that case use this.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  readonly url: string;
  /** The next `times` requests with this method whose path contains `path` lose their answer. */
  loseAnswers(method: string, path: string, times: number): void;
  readonly lost: number;
  close(): Promise<void>;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const rules: { method: string; path: string; times: number }[] = [];
  let lost = 0;
  const t = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rule = rules.find((r) => r.times > 0 && r.method === req.method && (req.url ?? '').includes(r.path));
      if (rule) rule.times--;
      const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (answer) => {
        if (rule) {
          answer.resume();
          answer.on('end', () => {
            lost++;
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    loseAnswers(method, path, times) {
      rules.push({ method, path, times });
    },
    get lost() {
      return lost;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
