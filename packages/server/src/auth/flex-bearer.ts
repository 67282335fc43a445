import { createHash } from 'node:crypto';
import { AppError } from '@pause-recording/core';
import type { TokenClaims } from './bearer-tokens.ts';
import type { FlexTokenValidator } from './flex-token-validator.ts';
import type { User } from './user-directory.ts';

/** A caller of the `/api` routes who presented a valid Flex token. */
export interface FlexCaller {
  readonly user: User;
  /** A session view of the token: `jti` is `flex:<role>:<hash>` (never a server token's id: those have no `:`). */
  readonly claims: TokenClaims;
}

const PREFIX = 'flex:';
/** Longer than any Flex token (a JWT of ~1-2 kB): refused without asking Twilio. */
const MAX_TOKEN_LENGTH = 8192;
/** How long a session whose expiry IAM does not state is taken to last (its event streams end then). */
export const UNSTATED_EXPIRY_MS = 5 * 60_000;

/** True for the session of a Flex token (it cannot be signed out here: Twilio IAM issued it). */
export function isFlexSession(jti: string): boolean {
  return jti.startsWith(PREFIX);
}

/** The role a Flex session's id carries (stream tickets keep only identity and session id); null for a server session. */
export function flexSessionRole(jti: string): 'agent' | 'supervisor' | null {
  if (!isFlexSession(jti)) return null;
  const role = jti.slice(PREFIX.length).split(':')[0];
  return role === 'supervisor' ? 'supervisor' : role === 'agent' ? 'agent' : null;
}

const hashOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

interface Entry {
  readonly caller: FlexCaller;
  /** Epoch ms: the earlier of (validated + cache seconds) and the token's own expiry. */
  readonly until: number;
}

/**
 * Flex tokens on the `/api` routes: validated by Twilio IAM (the engine in embedded mode, bound to
 * the user directory there) and mapped to a caller: `supervisor`/`admin` roles -> supervisor, any
 * other -> agent, with the token's `worker_sid`. A valid answer is kept for at most `cacheSeconds`
 * (never past the token's expiry; keyed by the token's SHA-256; at most `maxEntries`); refusals and
 * failures are never kept. IAM unreachable -> 503 (fail closed), refused -> 401.
 */
export class FlexBearerAuth {
  private readonly cache = new Map<string, Entry>();
  /** One validation in flight per token: concurrent requests with it share the answer. */
  private readonly inFlight = new Map<string, Promise<FlexCaller>>();

  constructor(
    private readonly validator: FlexTokenValidator,
    private readonly o: { readonly cacheSeconds: number; readonly maxEntries?: number; readonly now?: () => number },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async authenticate(token: string): Promise<FlexCaller> {
    if (token.length > MAX_TOKEN_LENGTH) throw refused('is not valid (too long)');
    const key = hashOf(token);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      if (hit.until > this.now()) return hit.caller;
      this.cache.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const p = this.validate(token, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** Forgets every cached validation (tests; an operator's restart does the same). */
  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }

  private async validate(token: string, key: string): Promise<FlexCaller> {
    let verdict;
    try {
      verdict = await this.validator.check(token);
    } catch (e) {
      throw new AppError(
        'AUTH_UNAVAILABLE',
        `authorization: the Flex token could not be validated (Twilio IAM did not answer: ${e instanceof Error ? e.message : String(e)}); nothing was done, retry shortly`,
        { field: 'authorization' },
      );
    }
    if (!verdict.ok) throw refused(`is neither this server's nor a valid Flex token (${verdict.message})`);
    const id = verdict.id;
    const role = id.roles.includes('supervisor') || id.roles.includes('admin') ? 'supervisor' : 'agent';
    const now = this.now();
    const expiresAt = id.expiresAt?.getTime() ?? null;
    // A validator that says valid for an already expired token is not believed (fail closed).
    if (expiresAt !== null && expiresAt <= now) throw refused('is an expired Flex token');
    const caller: FlexCaller = {
      user: { identity: id.identity, role, workerSid: id.workerSid },
      claims: {
        sub: id.identity,
        roles: [role],
        // Unknown expiry: an event stream it opens still ends, and the next one is validated afresh.
        exp: Math.floor((expiresAt ?? now + UNSTATED_EXPIRY_MS) / 1000),
        jti: `${PREFIX}${role}:${key.slice(0, 32)}`,
      },
    };
    // Kept only with a known expiry, and never past it.
    if (this.o.cacheSeconds > 0 && expiresAt !== null) {
      const max = this.o.maxEntries ?? 1000;
      this.sweep(now);
      while (this.cache.size >= max) {
        const oldest = this.cache.keys().next();
        if (oldest.done === true) break;
        this.cache.delete(oldest.value);
      }
      this.cache.set(key, { caller, until: Math.min(now + this.o.cacheSeconds * 1000, expiresAt) });
    }
    return caller;
  }

  private sweep(now: number): void {
    for (const [k, e] of this.cache) if (e.until <= now) this.cache.delete(k);
  }
}

function refused(why: string): AppError {
  return new AppError('UNAUTHENTICATED', `authorization: the bearer token ${why}`, { field: 'authorization' });
}
