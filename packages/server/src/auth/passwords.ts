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
 * A hash no password matches (random salt and key) with the strongest scrypt parameters among
 * `hashes` (most work N*r*p, then the longest key), so checking a password against it costs at
 * least what checking any real one costs: an unknown name is never the fast answer.
 */
export function decoyHashLike(hashes: readonly string[]): string {
  let best = { n: DEFAULT_COST.N, r: DEFAULT_COST.r, p: DEFAULT_COST.p, saltLen: 16, keyLen: KEY_LENGTH };
  let first = true;
  for (const h of hashes) {
    const parts = h.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') continue;
    const shape = {
      n: Number(parts[1]),
      r: Number(parts[2]),
      p: Number(parts[3]),
      saltLen: Buffer.from(parts[4] ?? '', 'base64').length,
      keyLen: Buffer.from(parts[5] ?? '', 'base64').length,
    };
    if (![shape.n, shape.r, shape.p].every((x) => Number.isSafeInteger(x) && x > 0)) continue;
    const work = shape.n * shape.r * shape.p;
    const bestWork = best.n * best.r * best.p;
    if (first || work > bestWork || (work === bestWork && shape.keyLen > best.keyLen)) best = shape;
    first = false;
  }
  return `scrypt$${best.n}$${best.r}$${best.p}$${randomBytes(best.saltLen).toString('base64')}$${randomBytes(best.keyLen).toString('base64')}`;
}
