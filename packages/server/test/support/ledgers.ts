/**
 * Runs a system-test suite on each ledger implementation: the default SQLite file, and PostgreSQL
 * on a throwaway cluster (`DATABASE_URL`, one fresh database per system). Call `ledgerBackend`
 * inside a `describe`: for PostgreSQL it starts one cluster for that block and stops it after.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from './postgres.ts';

export type LedgerKind = 'sqlite' | 'postgres';
export const LEDGER_KINDS: readonly LedgerKind[] = ['sqlite', 'postgres'];

export interface LedgerBackend {
  readonly kind: LedgerKind;
  /** The environment a system needs to use this ledger (a new, empty database each call). */
  env(): Promise<Record<string, string>>;
}

export function ledgerBackend(kind: LedgerKind): LedgerBackend {
  if (kind === 'sqlite') return { kind, env: () => Promise.resolve({}) };
  let cluster: PostgresCluster | null = null;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    kind,
    async env() {
      if (cluster === null) throw new Error('the PostgreSQL cluster is not running (ledgerBackend must be called inside a describe)');
      return { DATABASE_URL: await cluster.createDatabase() };
    },
  };
}
