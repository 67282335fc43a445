import type { ServerResponse } from 'node:http';
import { AppError, ErrorBody, EventsQuery, NoFields, StreamTicketResponse, type LiveEvent } from '@pause-recording/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { sessionFromRequest } from '../auth/authenticate.ts';
import type { BearerTokens } from '../auth/bearer-tokens.ts';
import { flexSessionRole, type FlexBearerAuth } from '../auth/flex-bearer.ts';
import type { User, UserDirectory } from '../auth/user-directory.ts';
import { currentSession } from '../auth/routes.ts';
import type { Api } from '../http/validation.ts';
import type { EventBus } from './event-bus.ts';
import type { TicketStore } from './tickets.ts';

/** Formats one server-sent event; the SSE `event:` is the event's `type`. */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export interface EventRouteDeps {
  readonly bus: EventBus;
  readonly tokens: BearerTokens;
  readonly users: UserDirectory;
  /** Flex tokens as bearer tokens (FLEX_LOGIN=on); null: only this server's own. */
  readonly flex: FlexBearerAuth | null;
  readonly tickets: TicketStore;
  readonly heartbeatMs: number;
  /** Open streams one identity may hold at once; the next is refused with 429. */
  readonly streamsPerIdentity: number;
}

export interface EventStreams {
  /** Ends the streams opened by the session `jti` (logout) and voids its unused tickets. */
  endSession(jti: string): Promise<void>;
  /** Ends this instance's streams of the session `jti` (another instance signed it out). */
  endStreams(jti: string): void;
  /** Ends every stream of this instance, saying why in a comment (their clients reconnect and reload). */
  endAll(why: string): void;
  /** Event streams open now (for /metrics). */
  clients(): number;
}

interface OpenStream {
  readonly res: ServerResponse;
  readonly identity: string;
  readonly jti: string;
}

/**
 * `POST /api/events/ticket` (bearer) gives a single-use ticket valid ~30 s; `GET /api/events?ticket=`
 * opens a text/event-stream of live events for its holder. (A client that can send headers may
 * use `Authorization: Bearer` instead; a token in the URL is refused.)
 */
export function eventRoutes(app: Api, deps: EventRouteDeps): EventStreams {
  const open = new Set<OpenStream>();
  app.addHook('preClose', async () => {
    for (const s of open) s.res.end();
  });

  app.post(
    '/api/events/ticket',
    {
      schema: {
        summary: 'A single-use ticket (~30 s) that opens the event stream once',
        tags: ['events'],
        body: NoFields,
        response: { 201: StreamTicketResponse, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const session = currentSession(request);
      const { ticket, expiresAt } = await deps.tickets.issue({ identity: session.sub, jti: session.jti, exp: session.exp });
      return reply.status(201).send({ ticket, expiresAt: expiresAt.toISOString() });
    },
  );

  const caller = async (request: FastifyRequest, ticket: string | undefined): Promise<{ user: User; jti: string; exp: number }> => {
    if (ticket === undefined) {
      const { user, claims } = await sessionFromRequest(request, deps.tokens, deps.users, deps.flex);
      return { user, jti: claims.jti, exp: claims.exp };
    }
    const refused = (): AppError =>
      new AppError('UNAUTHENTICATED', 'ticket: unknown, already used or expired; get a new one from POST /api/events/ticket', { field: 'ticket' });
    if (ticket === '') throw refused();
    const holder = await deps.tickets.redeem(ticket);
    if (holder === null) throw refused();
    if (holder.exp * 1000 <= Date.now()) {
      throw new AppError('UNAUTHENTICATED', 'ticket: the session that asked for it has expired; log in again', { field: 'ticket' });
    }
    // A Flex caller's ticket carries its role in the session id (it may be in no user directory).
    const flexRole = flexSessionRole(holder.jti);
    const user = flexRole !== null ? { identity: holder.identity, role: flexRole } : deps.users.get(holder.identity);
    if (user === null) throw refused();
    return { user, jti: holder.jti, exp: holder.exp };
  };

  const stream = Type.String({ description: 'text/event-stream: `hello`, then one frame per LiveEvent (packages/core/src/task-api.ts), `event:` its type' });
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Live events (server-sent events) for the ticket holder or bearer',
        tags: ['events'],
        querystring: EventsQuery,
        response: { 200: stream, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const { user, jti, exp } = await caller(request, request.query.ticket);
      let mine = 0;
      for (const s of open) if (s.identity === user.identity) mine++;
      if (mine >= deps.streamsPerIdentity) {
        reply.header('retry-after', '5');
        throw new AppError('RATE_LIMITED', `${user.identity} already has ${mine} open event streams (the limit); close one first`, { field: 'authorization' });
      }
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
      const stream: OpenStream = { res, identity: user.identity, jti };
      open.add(stream);
      const off = deps.bus.subscribe({
        identity: user.identity,
        supervisor: user.role === 'supervisor',
        send: (e) => res.write(sseFrame(e)),
      });
      const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
      // A stream is no longer-lived than the session that opened it: at its expiry the stream
      // ends, and the client's next ticket needs a live session (fail closed).
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const endAtExpiry = (): void => {
        const left = exp * 1000 - Date.now();
        if (left <= 0) {
          res.end(': session expired\n\n');
          return;
        }
        // setTimeout holds at most 2^31-1 ms (~24.8 days); a longer session re-arms.
        expiry = setTimeout(endAtExpiry, Math.min(left, 2 ** 31 - 1));
        expiry.unref();
      };
      endAtExpiry();
      const done = (): void => {
        clearTimeout(expiry);
        clearInterval(beat);
        off();
        open.delete(stream);
      };
      request.raw.on('close', done);
      res.on('close', done);
    },
  );

  return {
    clients: () => open.size,
    async endSession(jti) {
      for (const s of open) if (s.jti === jti) s.res.end();
      await deps.tickets.revokeSession(jti);
    },
    endStreams(jti) {
      for (const s of open) if (s.jti === jti) s.res.end();
    },
    endAll(why) {
      for (const s of open) s.res.end(`: ${why}\n\n`);
    },
  };
}
