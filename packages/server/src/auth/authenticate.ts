import { AppError } from '@pause-recording/core';
import type { FastifyRequest } from 'fastify';
import type { BearerTokens, TokenClaims } from './bearer-tokens.ts';
import type { User, UserDirectory } from './user-directory.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by `requireUser` on every `/api` route but login. */
    user: User | null;
    /** The caller's token claims (its session id `jti` is what logout revokes). */
    session: TokenClaims | null;
  }
}

const REASONS = { expired: 'expired', revoked: 'revoked (signed out)', malformed: 'not valid', 'bad-signature': 'not valid' } as const;

/** Reads `Authorization: Bearer <token>` (never the URL) and returns the user and the token's claims. */
export function sessionFromRequest(request: FastifyRequest, tokens: BearerTokens, users: UserDirectory): { user: User; claims: TokenClaims } {
  const header = request.headers.authorization;
  let token: string | undefined;
  if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice(7).trim();
  if (token === undefined || token === '') {
    throw new AppError('UNAUTHENTICATED', 'authorization: a bearer token is required (POST /api/auth/login)', { field: 'authorization' });
  }
  const check = tokens.check(token);
  if (!check.ok) {
    throw new AppError('UNAUTHENTICATED', `authorization: the bearer token is ${REASONS[check.reason]}`, { field: 'authorization' });
  }
  const user = users.get(check.claims.sub);
  if (user === null) throw new AppError('UNAUTHENTICATED', 'authorization: the token names an unknown user', { field: 'authorization' });
  return { user, claims: check.claims };
}

export function userFromRequest(request: FastifyRequest, tokens: BearerTokens, users: UserDirectory): User {
  return sessionFromRequest(request, tokens, users).user;
}
