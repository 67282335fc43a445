/**
 * Login limits and timing over real HTTP (issue 9, item 6): attempts are counted before the hash
 * is checked, per identity and client address (loopback 127.0.0.1 vs 127.0.0.2) with backoff, and
 * globally; an unknown name costs one derivation at the strongest configured cost, as a known one
 * costs one at its own (counted through the directory's `verify` seam, not timed).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';
import { LoginGuard } from '../../src/auth/login-guard.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { UserDirectory } from '../../src/auth/user-directory.ts';

let s: System | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

/** POST /api/auth/login from the loopback address `from`. */
function login(url: string, identity: string, password: string, from = '127.0.0.1'): Promise<Answer> {
  const u = new URL(url);
  const body = JSON.stringify({ identity, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/api/auth/login',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The demo directory, counting how many passwords it checks. */
async function countingUsers(): Promise<{ users: UserDirectory; checked: () => number }> {
  const users = await UserDirectory.demo('demo');
  let n = 0;
  const real = users.authenticate.bind(users);
  users.authenticate = async (identity, password) => {
    n++;
    return real(identity, password);
  };
  return { users, checked: () => n };
}

describe('login limits', () => {
  it('checks no more than the limit of 50 parallel wrong logins, and the real user still gets in from another address', async () => {
    const { users, checked } = await countingUsers();
    s = await startSystem({ server: { users } });
    const url = s.url;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => login(url, 'sam', `guess-${i}`)));
    // The default limit is 10 failures per identity and address.
    expect(checked()).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(checked());
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(50 - checked());
    for (const a of limited) expect(Number(a.retryAfter)).toBeGreaterThan(0);
    // From the guessing address even the right password waits; from another it works.
    expect((await login(url, 'sam', 'demo')).status).toBe(429);
    expect((await login(url, 'sam', 'demo', '127.0.0.2')).status).toBe(200);
    expect((await login(url, 'bob', 'demo')).status).toBe(200);
  });

  it('limits unsuccessful logins on the whole server, giving successes their slot back', async () => {
    const { users, checked } = await countingUsers();
    s = await startSystem({ server: { users }, env: { LOGIN_ATTEMPTS_PER_MINUTE: '20' } });
    const url = s.url;
    // Successes do not use the budget up.
    for (let i = 0; i < 25; i++) expect((await login(url, 'alice', 'demo')).status).toBe(200);
    const before = checked();
    // Password spraying: one guess each for many names, from many addresses.
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(url, `user${i}`, 'Summer2026!', `127.0.0.${(i % 200) + 2}`)));
    expect(checked() - before).toBeLessThanOrEqual(20);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(20);
    const refused = await login(url, 'bob', 'demo');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });

  it('backs off exponentially per identity and address, capped, and forgets after a success', () => {
    let now = 0;
    const g = new LoginGuard({ freeFailures: 2, backoffMs: 1000, maxBackoffMs: 4000, globalPerMinute: 1000, now: () => now });
    const fail = (): boolean => {
      const a = g.admit('sam', '10.0.0.1');
      if (a.ok) a.ticket.failed();
      return a.ok;
    };
    expect([fail(), fail(), fail()]).toEqual([true, true, false]);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      let waited = 0;
      while (!fail()) {
        now += 250;
        waited += 250;
      }
      waits.push(waited);
    }
    // 1 s, 2 s, 4 s, then capped at 4 s.
    expect(waits).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(g.admit('sam', '10.0.0.2').ok).toBe(true);
    now += 4000;
    const ok = g.admit('sam', '10.0.0.1');
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.ticket.succeeded();
    expect([fail(), fail(), fail()]).toEqual([true, true, false]);
  });
});

describe('login timing', () => {
  it('spends exactly one derivation on an unknown name, with the strongest configured parameters, as on a known name with a wrong password', async () => {
    // Users at two costs: the decoy takes the stronger, so no name answers faster than a known one.
    const [carolHash, daveHash] = [await hashPassword('right-password'), await hashPassword('other-password', { N: 4096, r: 8, p: 1 })];
    // Every derivation goes through the real scrypt; the wrapper only records what it was asked.
    const derived: string[] = [];
    const verify = async (password: string, stored: string): Promise<boolean> => {
      derived.push(stored);
      return verifyPassword(password, stored);
    };
    const users = new UserDirectory(
      [
        // The weaker first: a decoy copied from the first or the most common user would be weaker.
        { identity: 'dave', role: 'supervisor', passwordHash: daveHash },
        { identity: 'carol', role: 'agent', passwordHash: carolHash },
      ],
      false,
      verify,
    );
    const shape = (h: string): unknown[] => {
      const [alg, n, r, p, salt, key] = h.split('$') as [string, string, string, string, string, string];
      return [alg, n, r, p, Buffer.from(salt, 'base64').length, Buffer.from(key, 'base64').length];
    };
    expect(shape(users.decoyHash)).toEqual(['scrypt', '16384', '8', '1', 16, 32]);
    expect(shape(users.decoyHash)).toEqual(shape(carolHash));
    expect([carolHash, daveHash]).not.toContain(users.decoyHash);
    s = await startSystem({ server: { users }, env: { LOGIN_FAILURES_PER_MINUTE: '10000', LOGIN_ATTEMPTS_PER_MINUTE: '10000' } });
    const url = s.url;
    /** The stored hashes one login over HTTP derived against. */
    const derivations = async (identity: string): Promise<string[]> => {
      derived.length = 0;
      expect((await login(url, identity, 'wrong-password')).status).toBe(401);
      return [...derived];
    };
    for (let i = 0; i < 3; i++) {
      expect(await derivations(`nobody${i}`)).toEqual([users.decoyHash]);
      expect(await derivations('carol')).toEqual([carolHash]);
      expect(await derivations('dave')).toEqual([daveHash]);
    }
  });
});
