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
  private readonly one: Database.Statement;
  private readonly counter: Database.Statement;
  private readonly byCall: Database.Statement;
  private readonly byConference: Database.Statement;

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
    // Finished resources are read back from here (not kept in memory): a recording by its owner.
    this.db.exec(`CREATE INDEX IF NOT EXISTS resources_call ON resources (kind, json_extract(data, '$.callSid'));
      CREATE INDEX IF NOT EXISTS resources_conference ON resources (kind, json_extract(data, '$.conferenceSid'))`);
    this.one = this.db.prepare('SELECT sid, kind, created_ms AS createdMs, data FROM resources WHERE sid = ?');
    this.counter = this.db.prepare('SELECT count(*) AS n FROM resources WHERE kind = ?');
    this.byCall = this.db.prepare(
      "SELECT sid, kind, created_ms AS createdMs, data FROM resources WHERE kind = ? AND json_extract(data, '$.callSid') = ? ORDER BY created_ms, rowid",
    );
    this.byConference = this.db.prepare(
      "SELECT sid, kind, created_ms AS createdMs, data FROM resources WHERE kind = ? AND json_extract(data, '$.conferenceSid') = ? ORDER BY created_ms, rowid",
    );
  }

  /** One resource by SID, if it is of `kind`. */
  get(kind: ResourceKind, sid: string): StoredRow | null {
    const r = this.one.get(sid) as RawRow | undefined;
    return r && r.kind === kind ? parse(r) : null;
  }

  count(kind: ResourceKind): number {
    return (this.counter.get(kind) as { n: number }).n;
  }

  /** Resources of `kind` whose `callSid` (or `conferenceSid`) field is `sid`, oldest first. */
  owned(kind: ResourceKind, field: 'callSid' | 'conferenceSid', sid: string): StoredRow[] {
    return ((field === 'callSid' ? this.byCall : this.byConference).all(kind, sid) as RawRow[]).map(parse);
  }

  save(kind: ResourceKind, sid: string, createdMs: number, data: unknown): void {
    this.upsert.run(sid, kind, createdMs, JSON.stringify(data));
  }

  remove(sid: string): void {
    this.del.run(sid);
  }

  all(kind: ResourceKind): StoredRow[] {
    const rows = this.db
      .prepare('SELECT sid, kind, created_ms AS createdMs, data FROM resources WHERE kind = ? ORDER BY created_ms, rowid')
      .all(kind) as RawRow[];
    return rows.map(parse);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface RawRow {
  sid: string;
  kind: ResourceKind;
  createdMs: number;
  data: string;
}

const parse = (r: RawRow): StoredRow => ({ ...r, data: JSON.parse(r.data) as unknown });
