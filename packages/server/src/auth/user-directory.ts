import type { ConfiguredUser, UserRole } from '@pause-recording/core';
import { decoyHashLike, hashPassword, verifyPassword } from './passwords.ts';

/** Checks a password against a stored hash: `verifyPassword`, or a wrapper of it that records the calls. */
export type VerifyPassword = (password: string, stored: string) => Promise<boolean>;

export interface User {
  readonly identity: string;
  readonly role: UserRole;
  /** A Flex token's `worker_sid` (auth/flex-bearer.ts); absent for a server login (looked up by identity). */
  readonly workerSid?: string | null;
}

/** The people who may log in: from config, or the demo users of embedded mode. */
export class UserDirectory {
  private readonly users = new Map<string, ConfiguredUser>();
  /**
   * What an unknown name is checked against: a random hash with the strongest scrypt parameters
   * (and their salt and key length) among the users' own, so it costs at least the work any known
   * name costs and timing does not tell which names exist.
   */
  readonly decoyHash: string;

  constructor(
    users: readonly ConfiguredUser[],
    /** The demo users of embedded mode (known names, known password): never to be exposed. */
    readonly demo = false,
    /** The one place passwords are derived; a seam so tests can count the derivations. */
    private readonly verify: VerifyPassword = verifyPassword,
  ) {
    for (const u of users) this.users.set(u.identity, u);
    this.decoyHash = decoyHashLike(users.map((u) => u.passwordHash));
  }

  /** Demo agents `alice`, `bob` and supervisor `sam`, all with `password`. */
  static async demo(password: string): Promise<UserDirectory> {
    const cost = { N: 4096, r: 8, p: 1 };
    const users: ConfiguredUser[] = [];
    for (const [identity, role] of [
      ['alice', 'agent'],
      ['bob', 'agent'],
      ['sam', 'supervisor'],
    ] as const) {
      users.push({ identity, role, passwordHash: await hashPassword(password, cost) });
    }
    return new UserDirectory(users, true);
  }

  async authenticate(identity: string, password: string): Promise<User | null> {
    const u = this.users.get(identity);
    if (u === undefined) {
      // Spend the same work on unknown names, so timing does not tell which names exist.
      await this.verify(password, this.decoyHash);
      return null;
    }
    return (await this.verify(password, u.passwordHash)) ? { identity: u.identity, role: u.role } : null;
  }

  get(identity: string): User | null {
    const u = this.users.get(identity);
    return u === undefined ? null : { identity: u.identity, role: u.role };
  }

  agents(): string[] {
    return [...this.users.values()].filter((u) => u.role === 'agent').map((u) => u.identity);
  }

  list(): User[] {
    return [...this.users.values()].map((u) => ({ identity: u.identity, role: u.role }));
  }
}
