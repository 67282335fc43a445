/**
 * Validates a Flex token the way `twilio-flex-token-validator` does: POST `{token}` with Basic
 * auth to `{baseUrl}/v1/Accounts/{AC}/Tokens/validate`. `baseUrl` is https://iam.twilio.com in
 * production and the voice engine (which serves the same JSON) in embedded mode.
 */
export interface FlexIdentity {
  readonly identity: string;
  readonly roles: readonly string[];
  readonly workerSid: string | null;
  /** When the token expires (IAM's `expiration`); null when the answer does not say. */
  readonly expiresAt?: Date | null;
}

/** A validation's verdict with Twilio IAM's reason for a refusal (what the Functions answer in their 403). */
export type FlexCheck = { readonly ok: true; readonly id: FlexIdentity } | { readonly ok: false; readonly message: string };

export interface FlexTokenValidator {
  /** The identity the token stands for, or null when the token is not valid. */
  validate(token: string): Promise<FlexIdentity | null>;
  /** The same, with the refusal's reason. */
  check(token: string): Promise<FlexCheck>;
}

const NOT_VALID = 'Invalid Access Token';

export class HttpFlexTokenValidator implements FlexTokenValidator {
  constructor(
    private readonly baseUrl: string,
    private readonly accountSid: string,
    private readonly authToken: string,
    private readonly timeoutMs: number,
  ) {}

  async validate(token: string): Promise<FlexIdentity | null> {
    const c = await this.check(token);
    return c.ok ? c.id : null;
  }

  async check(token: string): Promise<FlexCheck> {
    const res = await fetch(`${this.baseUrl}/v1/Accounts/${this.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Basic ' + Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64'),
      },
      body: JSON.stringify({ token }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status === 401 || res.status === 403 || res.status === 400) return { ok: false, message: NOT_VALID };
    if (!res.ok) throw new Error(`token validation answered HTTP ${res.status}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (body['valid'] !== true || typeof body['identity'] !== 'string') {
      return { ok: false, message: typeof body['message'] === 'string' && body['message'] !== '' ? body['message'] : NOT_VALID };
    }
    const roles = Array.isArray(body['roles']) ? body['roles'].filter((r): r is string => typeof r === 'string') : [];
    return {
      ok: true,
      id: { identity: body['identity'], roles, workerSid: typeof body['worker_sid'] === 'string' ? body['worker_sid'] : null, expiresAt: expiration(body) },
    };
  }
}

function expiration(body: Record<string, unknown>): Date | null {
  const v = body['expiration'];
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? new Date(t) : null;
}

/**
 * Embedded mode: the engine mints Flex tokens for any identity with any roles, so a token's
 * role claim proves nothing there. Roles come from the user directory instead: a known identity
 * gets its directory role, an unknown one never gets supervisor (or admin) rights.
 */
export class DirectoryBoundFlexValidator implements FlexTokenValidator {
  constructor(
    private readonly inner: FlexTokenValidator,
    private readonly directoryRole: (identity: string) => string | null,
  ) {}

  async validate(token: string): Promise<FlexIdentity | null> {
    const c = await this.check(token);
    return c.ok ? c.id : null;
  }

  async check(token: string): Promise<FlexCheck> {
    const c = await this.inner.check(token);
    if (!c.ok) return c;
    const known = this.directoryRole(c.id.identity);
    const roles = known !== null ? [known] : c.id.roles.filter((r) => r !== 'supervisor' && r !== 'admin');
    return { ok: true, id: { ...c.id, roles } };
  }
}

/** FLEX_LOGIN=off: no Flex token is accepted (only the server's own bearer tokens). */
export class NoFlexLogin implements FlexTokenValidator {
  async validate(): Promise<FlexIdentity | null> {
    return null;
  }

  async check(): Promise<FlexCheck> {
    return { ok: false, message: 'Unauthorized: this server accepts no Flex tokens (FLEX_LOGIN=off)' };
  }
}
