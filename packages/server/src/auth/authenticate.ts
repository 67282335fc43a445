import { AppError } from '@pause-recording/core';
import type { FastifyRequest } from 'fastify';
import type { BearerTokens } from './bearer-tokens.ts';
import type { User, UserDirectory } from './user-directory.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by `requireUser` on every `/api` route but login. */
    user: User | null;
  }
}

/** Reads `Authorization: Bearer <token>` (or, where `allowQuery`, `?token=` for EventSource) and returns the user. */
export function userFromRequest(request: FastifyRequest, tokens: BearerTokens, users: UserDirectory, allowQuery = false): User {
  const header = request.headers.authorization;
  let token: string | undefined;
  if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice(7).trim();
  if (token === undefined && allowQuery) {
    const q = request.query as Record<string, unknown> | undefined;
    if (typeof q?.['token'] === 'string') token = q['token'];
  }
  if (token === undefined || token === '') {
    throw new AppError('UNAUTHENTICATED', 'authorization: a bearer token is required (POST /api/auth/login)', { field: 'authorization' });
  }
  const check = tokens.check(token);
  if (!check.ok) {
    throw new AppError('UNAUTHENTICATED', `authorization: the bearer token is ${check.reason === 'expired' ? 'expired' : 'not valid'}`, {
      field: 'authorization',
    });
  }
  const user = users.get(check.claims.sub);
  if (user === null) throw new AppError('UNAUTHENTICATED', 'authorization: the token names an unknown user', { field: 'authorization' });
  return user;
}
