import type { LoginResponse, MeResponse } from '@pause-recording/core';
import { AppError } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { bodyObject, rejectIfProblems, type FieldProblem } from '../http/errors.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import type { BearerTokens } from './bearer-tokens.ts';
import type { UserDirectory } from './user-directory.ts';

export function authRoutes(app: FastifyInstance, deps: { tokens: BearerTokens; users: UserDirectory; loginFailures: RateLimiter }): void {
  app.post('/api/auth/login', async (request, reply): Promise<LoginResponse> => {
    const body = bodyObject(request.body, ['identity', 'password']);
    const problems: FieldProblem[] = [];
    const { identity, password } = body;
    if (typeof identity !== 'string' || identity === '') problems.push({ field: 'identity', problem: 'is required (a non-empty string)' });
    if (typeof password !== 'string' || password === '') problems.push({ field: 'password', problem: 'is required (a non-empty string)' });
    rejectIfProblems(problems);
    // Guessing passwords: after too many failures for one identity, even the right one waits.
    if (deps.loginFailures.exhausted(identity as string)) {
      reply.header('retry-after', '60');
      throw new AppError('RATE_LIMITED', `too many failed logins for ${String(identity)}; try again in a minute`, { field: 'identity' });
    }
    const user = await deps.users.authenticate(identity as string, password as string);
    if (user === null) {
      deps.loginFailures.hit(identity as string);
      throw new AppError('UNAUTHENTICATED', 'identity or password is wrong', { field: 'password' });
    }
    const { token, expiresAt } = deps.tokens.issue(user.identity, [user.role]);
    return { token, identity: user.identity, roles: [user.role], expiresAt: expiresAt.toISOString() };
  });

  app.get('/api/me', async (request): Promise<MeResponse> => {
    const user = request.user as NonNullable<typeof request.user>;
    return { identity: user.identity, roles: [user.role] };
  });
}
