import type { ServerResponse } from 'node:http';
import type { LiveEvent } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { userFromRequest } from '../auth/authenticate.ts';
import type { BearerTokens } from '../auth/bearer-tokens.ts';
import type { UserDirectory } from '../auth/user-directory.ts';
import type { EventBus } from './event-bus.ts';

/** Formats one server-sent event; the SSE `event:` is the event's `type`. */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /api/events`: a text/event-stream of live events for the caller. EventSource cannot
 * set headers, so the token may also come as `?token=`.
 */
export function eventRoutes(
  app: FastifyInstance,
  deps: { bus: EventBus; tokens: BearerTokens; users: UserDirectory; heartbeatMs: number },
): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/api/events', (request, reply) => {
    const user = userFromRequest(request, deps.tokens, deps.users, true);
    reply.hijack();
    const res = reply.raw;
    // Headers set by earlier hooks (security, CORS) go out with the hijacked response too.
    for (const [k, v] of Object.entries(reply.getHeaders())) if (typeof v === 'string' || typeof v === 'number') res.setHeader(k, v);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ identity: user.identity, roles: [user.role] })}\n\n`);
    open.add(res);
    const off = deps.bus.subscribe({
      identity: user.identity,
      supervisor: user.role === 'supervisor',
      send: (e) => res.write(sseFrame(e)),
    });
    const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
    const done = (): void => {
      clearInterval(beat);
      off();
      open.delete(res);
    };
    request.raw.on('close', done);
    res.on('close', done);
  });
}
