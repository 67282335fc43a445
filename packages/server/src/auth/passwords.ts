import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Passwords are stored as `scrypt$N$r$p$saltBase64$hashBase64` (the format config's `password_hash` takes). */
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export const DEFAULT_COST = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  try {
    const key = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: 256 * 1024 * 1024,
    });
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/**
 * A hash no password matches (random salt and key) with the parameters and key length most of
 * `hashes` use, so checking a password against it costs what checking a real one costs.
 */
export function decoyHashLike(hashes: readonly string[]): string {
  const seen = new Map<string, number>();
  for (const h of hashes) {
    const parts = h.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') continue;
    const shape = [parts[1], parts[2], parts[3], Buffer.from(parts[4] ?? '', 'base64').length, Buffer.from(parts[5] ?? '', 'base64').length].join('$');
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
  }
  let best = `${DEFAULT_COST.N}$${DEFAULT_COST.r}$${DEFAULT_COST.p}$16$${KEY_LENGTH}`;
  let most = 0;
  for (const [shape, n] of seen) if (n > most) [best, most] = [shape, n];
  const [n, r, p, saltLen, keyLen] = best.split('$') as [string, string, string, string, string];
  return `scrypt$${n}$${r}$${p}$${randomBytes(Number(saltLen)).toString('base64')}$${randomBytes(Number(keyLen)).toString('base64')}`;
}
