import { AppError } from '@pause-recording/core';
import type { FastifyRequest } from 'fastify';
import type { BearerTokens, TokenClaims } from './bearer-tokens.ts';
import type { FlexBearerAuth } from './flex-bearer.ts';
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

export interface Session {
  readonly user: User;
  readonly claims: TokenClaims;
}

/**
 * Reads `Authorization: Bearer <token>` (never the URL): this server's own token, or else (when
 * `flex` is given: FLEX_LOGIN=on) a Flex token validated by Twilio IAM (flex-bearer.ts). A token
 * signed by this server but expired or revoked is refused as it is, never re-tried as a Flex token.
 */
export async function sessionFromRequest(request: FastifyRequest, tokens: BearerTokens, users: UserDirectory, flex: FlexBearerAuth | null): Promise<Session> {
  const header = request.headers.authorization;
  let token: string | undefined;
  if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice(7).trim();
  if (token === undefined || token === '') {
    throw new AppError('UNAUTHENTICATED', 'authorization: a bearer token is required (POST /api/auth/login)', { field: 'authorization' });
  }
  const check = tokens.check(token);
  if (!check.ok) {
    if (flex !== null && (check.reason === 'malformed' || check.reason === 'bad-signature')) return flex.authenticate(token);
    throw new AppError('UNAUTHENTICATED', `authorization: the bearer token is ${REASONS[check.reason]}`, { field: 'authorization' });
  }
  const user = users.get(check.claims.sub);
  if (user === null) throw new AppError('UNAUTHENTICATED', 'authorization: the token names an unknown user', { field: 'authorization' });
  return { user, claims: check.claims };
}
