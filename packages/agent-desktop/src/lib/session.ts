import type { LoginResponse } from '@pause-recording/core';

const KEY = 'agentDesktop.session';

/** The signed-in user, kept in localStorage so a reload stays signed in until the token expires. */
export function loadSession(now = Date.now()): LoginResponse | null {
  const raw = globalThis.localStorage?.getItem(KEY);
  if (raw === null || raw === undefined) return null;
  try {
    const s = JSON.parse(raw) as LoginResponse;
    if (typeof s.token !== 'string' || Date.parse(s.expiresAt) <= now) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: LoginResponse | null): void {
  if (s === null) globalThis.localStorage?.removeItem(KEY);
  else globalThis.localStorage?.setItem(KEY, JSON.stringify(s));
}
