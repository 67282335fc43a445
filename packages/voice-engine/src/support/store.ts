import Database from 'better-sqlite3';

export type ResourceKind =
  'call' | 'conference' | 'recording' | 'number' | 'tr-workspace' | 'tr-activity' | 'tr-worker' | 'tr-queue' | 'tr-workflow' | 'tr-task' | 'tr-reservation';

export interface StoredRow {
  sid: string;
  kind: ResourceKind;
  createdMs: number;
  data: unknown;
}

/**
 * The engine's durable state: one SQLite file holding each resource as JSON, written on
 * every state change (never per frame). WAL mode: a killed process loses no committed row.
 */
export class EngineStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly del: Database.Statement;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS resources (
      sid TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      data TEXT NOT NULL
    )`);
    this.upsert = this.db.prepare(
      `INSERT INTO resources (sid, kind, created_ms, data) VALUES (?, ?, ?, ?)
       ON CONFLICT(sid) DO UPDATE SET data = excluded.data`,
    );
    this.del = this.db.prepare('DELETE FROM resources WHERE sid = ?');
  }

  save(kind: ResourceKind, sid: string, createdMs: number, data: unknown): void {
    this.upsert.run(sid, kind, createdMs, JSON.stringify(data));
  }

  remove(sid: string): void {
    this.del.run(sid);
  }

  all(kind: ResourceKind): StoredRow[] {
    const rows = this.db.prepare('SELECT sid, kind, created_ms AS createdMs, data FROM resources WHERE kind = ? ORDER BY created_ms, rowid').all(kind) as {
      sid: string;
      kind: ResourceKind;
      createdMs: number;
      data: string;
    }[];
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
