import type { LoginResponse, MeResponse } from '@pause-recording/core';
import { AppError } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { bodyObject, rejectIfProblems, type FieldProblem } from '../http/errors.ts';
import type { BearerTokens } from './bearer-tokens.ts';
import type { LoginGuard } from './login-guard.ts';
import type { TokenRevocations } from './revocations.ts';
import type { UserDirectory } from './user-directory.ts';

export interface AuthRouteDeps {
  readonly tokens: BearerTokens;
  readonly users: UserDirectory;
  readonly guard: LoginGuard;
  readonly revocations: TokenRevocations;
  /** Told when a session is revoked (its event streams and stream tickets end too). */
  readonly onLogout: (jti: string) => void;
}

export function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  app.post('/api/auth/login', async (request, reply): Promise<LoginResponse> => {
    const body = bodyObject(request.body, ['identity', 'password']);
    const problems: FieldProblem[] = [];
    const { identity, password } = body;
    if (typeof identity !== 'string' || identity === '') problems.push({ field: 'identity', problem: 'is required (a non-empty string)' });
    if (typeof password !== 'string' || password === '') problems.push({ field: 'password', problem: 'is required (a non-empty string)' });
    rejectIfProblems(problems);
    // Counted before the hash is checked: parallel guesses cannot outrun the count.
    const admission = deps.guard.admit(identity as string, request.ip);
    if (!admission.ok) {
      reply.header('retry-after', String(admission.retryAfterSeconds));
      const what = admission.scope === 'global' ? 'too many failed logins on this server' : `too many failed logins for ${String(identity)} from this address`;
      throw new AppError('RATE_LIMITED', `${what}; try again in ${admission.retryAfterSeconds} s`, { field: 'identity' });
    }
    let user;
    try {
      user = await deps.users.authenticate(identity as string, password as string);
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
  });

  // Revokes the presented token (this session only), durably: it stays refused after a restart.
  app.post('/api/auth/logout', async (request, reply) => {
    bodyObject(request.body, []);
    const session = request.session as NonNullable<typeof request.session>;
    deps.revocations.revoke(session.jti, session.sub, session.exp);
    deps.onLogout(session.jti);
    return reply.status(204).send();
  });

  app.get('/api/me', async (request): Promise<MeResponse> => {
    const user = request.user as NonNullable<typeof request.user>;
    return { identity: user.identity, roles: [user.role] };
  });
}
