import { AppError, ErrorBody, LoginRequest, LoginResponse, MeResponse, NoFields } from '@pause-recording/core';
import { Type } from 'typebox';
import type { Api } from '../http/validation.ts';
import { currentUser } from '../tasks/routes.ts';
import type { BearerTokens, TokenClaims } from './bearer-tokens.ts';
import { isFlexSession } from './flex-bearer.ts';
import type { LoginAdmission } from './login-guard.ts';
import type { UserDirectory } from './user-directory.ts';

export interface AuthRouteDeps {
  readonly tokens: BearerTokens;
  readonly users: UserDirectory;
  /** Login limits: this process's (`LoginGuard`) or shared by every instance (`PgLoginGuard`). */
  readonly guard: { admit(identity: string, address: string): LoginAdmission | Promise<LoginAdmission> };
  /** Where revoked sessions are kept: SQLite (`TokenRevocations`) or shared by every instance. */
  readonly revocations: { revoke(jti: string, identity: string, exp: number): void | Promise<void> };
  /** Told when a session is revoked (its event streams and stream tickets end too). */
  readonly onLogout: (jti: string) => void | Promise<void>;
}

/** The caller's token claims (set by the server's authentication hook on every non-public `/api` route). */
export function currentSession(request: { readonly session: TokenClaims | null }): TokenClaims {
  if (request.session === null) throw new AppError('UNAUTHENTICATED', 'authorization: not logged in', { field: 'authorization' });
  return request.session;
}

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

export function authRoutes(app: Api, deps: AuthRouteDeps): void {
  app.post(
    '/api/auth/login',
    { schema: { summary: 'Log in: a bearer token (no token needed)', tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse, ...errors } } },
    async (request, reply) => {
      const { identity, password } = request.body;
      // Counted before the hash is checked: parallel guesses cannot outrun the count.
      const admission = await deps.guard.admit(identity, request.ip);
      if (!admission.ok) {
        reply.header('retry-after', String(admission.retryAfterSeconds));
        const what = admission.scope === 'global' ? 'too many failed logins on this server' : `too many failed logins for ${identity} from this address`;
        throw new AppError('RATE_LIMITED', `${what}; try again in ${admission.retryAfterSeconds} s`, { field: 'identity' });
      }
      let user;
      try {
        user = await deps.users.authenticate(identity, password);
      } catch (e) {
        admission.ticket.failed();
        throw e;
      }
      if (user === null) {
        admission.ticket.failed();
        throw new AppError('UNAUTHENTICATED', 'identity or password is wrong', { field: 'password' });
      }
      admission.ticket.succeeded();
      const { token, expiresAt } = deps.tokens.issue(user.identity, [user.role]);
      return { token, identity: user.identity, roles: [user.role], expiresAt: expiresAt.toISOString() };
    },
  );

  // Revokes the presented token (this session only), durably: it stays refused after a restart.
  app.post(
    '/api/auth/logout',
    {
      schema: {
        summary: 'Revoke the token this request carries',
        tags: ['auth'],
        body: NoFields,
        response: { 204: Type.Null({ description: 'Signed out' }), ...errors },
      },
    },
    async (request, reply) => {
      const session = currentSession(request);
      // Twilio IAM issued it: only Flex (signing out there) or its expiry ends it; nothing is changed here.
      if (isFlexSession(session.jti)) {
        throw new AppError(
          'BAD_REQUEST',
          'authorization: a Flex token cannot be signed out by this server; sign out of Flex (it stays valid until it expires)',
          {
            field: 'authorization',
          },
        );
      }
      await deps.revocations.revoke(session.jti, session.sub, session.exp);
      await deps.onLogout(session.jti);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/me', { schema: { summary: 'Who the token belongs to', tags: ['auth'], response: { 200: MeResponse, ...errors } } }, async (request) => {
    const user = currentUser(request);
    return { identity: user.identity, roles: [user.role] };
  });
}
