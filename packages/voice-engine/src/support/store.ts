import Database from 'better-sqlite3';

export type ResourceKind =
  'call' | 'conference' | 'recording' | 'number' | 'tr-workspace' | 'tr-activity' | 'tr-worker' | 'tr-queue' | 'tr-workflow' | 'tr-task' | 'tr-reservation';

export interface StoredRow {
  sid: string;
  kind: ResourceKind;
  createdMs: number;
  data: unknown;
}

/** What a recording row is indexed by: the call or the conference it belongs to. */
export interface RecordingOwnerColumns {
  callSid: string | null;
  conferenceSid: string | null;
}

/** What a TaskRouter reservation row is indexed by: its task and its worker. */
export interface ReservationOwnerColumns {
  taskSid: string;
  workerSid: string;
}

/** An indexed owner column: a recording's call or conference, a reservation's task or worker. */
export type OwnerField = 'callSid' | 'conferenceSid' | 'taskSid' | 'workerSid';
const OWNER_COLUMNS: Record<OwnerField, string> = { callSid: 'call_sid', conferenceSid: 'conference_sid', taskSid: 'task_sid', workerSid: 'worker_sid' };

/**
 * The engine's durable state: one SQLite file holding each resource as JSON, written on
 * every state change (never per frame). WAL mode: a killed process loses no committed row.
 * A recording's owner (call, conference) and a reservation's (task, worker) are columns of their
 * own, indexed, so saving and listing never evaluate JSON; a recording's event log is a table of
 * its own, one row per change, so a change appends one small row instead of rewriting every change
 * before it.
 */
export class EngineStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly upsertOwned: Database.Statement;
  private readonly upsertReservation: Database.Statement;
  private readonly addLog: Database.Statement;
  private readonly readLog: Database.Statement;
  private readonly del: Database.Statement;
  private readonly delLog: Database.Statement;
  private readonly one: Database.Statement;
  private readonly counter: Database.Statement;
  private readonly byOwner: Record<OwnerField, Database.Statement>;
  private readonly ofKind: Database.Statement;
  private readonly saveLogged: (
    kind: ResourceKind,
    sid: string,
    createdMs: number,
    data: unknown,
    owner: RecordingOwnerColumns,
    from: number,
    log: readonly unknown[],
  ) => void;
  private readonly removeBoth: (sid: string) => void;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS resources (
      sid TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS resource_log (
      sid TEXT NOT NULL,
      seq INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (sid, seq)
    ) WITHOUT ROWID`);
    migrateOwnerColumns(this.db);
    this.upsert = this.db.prepare(
      `INSERT INTO resources (sid, kind, created_ms, data) VALUES (?, ?, ?, ?)
       ON CONFLICT(sid) DO UPDATE SET data = excluded.data`,
    );
    // A recording's owner never changes: an update rewrites its data only, and no index.
    this.upsertOwned = this.db.prepare(
      `INSERT INTO resources (sid, kind, created_ms, data, call_sid, conference_sid) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(sid) DO UPDATE SET data = excluded.data`,
    );
    this.upsertReservation = this.db.prepare(
      `INSERT INTO resources (sid, kind, created_ms, data, task_sid, worker_sid) VALUES (?, 'tr-reservation', ?, ?, ?, ?)
       ON CONFLICT(sid) DO UPDATE SET data = excluded.data`,
    );
    // An entry already written (a resource saved again after a restart) is kept as it is.
    this.addLog = this.db.prepare('INSERT OR IGNORE INTO resource_log (sid, seq, data) VALUES (?, ?, ?)');
    this.readLog = this.db.prepare('SELECT data FROM resource_log WHERE sid = ? ORDER BY seq').pluck();
    this.del = this.db.prepare('DELETE FROM resources WHERE sid = ?');
    this.delLog = this.db.prepare('DELETE FROM resource_log WHERE sid = ?');
    const cols = 'sid, kind, created_ms AS createdMs, data';
    this.one = this.db.prepare(`SELECT ${cols} FROM resources WHERE sid = ?`);
    this.counter = this.db.prepare('SELECT count(*) AS n FROM resources WHERE kind = ?');
    const ownedBy = (field: OwnerField) =>
      this.db.prepare(`SELECT ${cols} FROM resources WHERE ${OWNER_COLUMNS[field]} = ? AND kind = ? ORDER BY created_ms, rowid`);
    this.byOwner = { callSid: ownedBy('callSid'), conferenceSid: ownedBy('conferenceSid'), taskSid: ownedBy('taskSid'), workerSid: ownedBy('workerSid') };
    this.ofKind = this.db.prepare(`SELECT ${cols} FROM resources WHERE kind = ? ORDER BY created_ms, rowid`);
    // The row and its new log entries commit together: one transaction, one WAL commit.
    this.saveLogged = this.db.transaction(
      (kind: ResourceKind, sid: string, createdMs: number, data: unknown, owner: RecordingOwnerColumns, from: number, log: readonly unknown[]) => {
        this.upsertOwned.run(sid, kind, createdMs, JSON.stringify(data), owner.callSid, owner.conferenceSid);
        for (let i = from; i < log.length; i++) this.addLog.run(sid, i, JSON.stringify(log[i]));
      },
    );
    this.removeBoth = this.db.transaction((sid: string) => {
      this.del.run(sid);
      this.delLog.run(sid);
    });
  }

  /** One resource by SID, if it is of `kind`. */
  get(kind: ResourceKind, sid: string): StoredRow | null {
    const r = this.one.get(sid) as RawRow | undefined;
    return r && r.kind === kind ? parse(r) : null;
  }

  count(kind: ResourceKind): number {
    return (this.counter.get(kind) as { n: number }).n;
  }

  /**
   * Resources of `kind` owned by the call, conference, task or worker `sid`, oldest first. `skip`
   * names rows the caller already holds: those are returned as `data: null`, their JSON never parsed.
   */
  owned(kind: ResourceKind, field: OwnerField, sid: string, skip?: (sid: string) => boolean): StoredRow[] {
    const rows = this.byOwner[field].all(sid, kind) as RawRow[];
    return rows.map((r) => (skip?.(r.sid) ? { ...r, data: null } : parse(r)));
  }

  save(kind: ResourceKind, sid: string, createdMs: number, data: unknown): void {
    // A row without its owner columns would be missing from its owner's listing.
    if (kind === 'recording') throw new Error('a recording is saved with saveWithLog');
    if (kind === 'tr-reservation') throw new Error('a reservation is saved with saveReservation');
    this.upsert.run(sid, kind, createdMs, JSON.stringify(data));
  }

  /** A TaskRouter reservation, indexed by its task and its worker (neither changes: an update rewrites its data only). */
  saveReservation(sid: string, createdMs: number, data: unknown, owner: ReservationOwnerColumns): void {
    this.upsertReservation.run(sid, createdMs, JSON.stringify(data), owner.taskSid, owner.workerSid);
  }

  /**
   * A resource with an owner and an append-only log (a recording and its changes): the row, and
   * the log entries from index `from` on (entries before it are already stored), in one transaction.
   */
  saveWithLog(kind: ResourceKind, sid: string, createdMs: number, data: unknown, owner: RecordingOwnerColumns, log: readonly unknown[], from: number): void {
    this.saveLogged(kind, sid, createdMs, data, owner, from, log);
  }

  /** A resource's log entries, in order. */
  log(sid: string): unknown[] {
    return (this.readLog.all(sid) as string[]).map((d) => JSON.parse(d) as unknown);
  }

  remove(sid: string): void {
    this.removeBoth(sid);
  }

  all(kind: ResourceKind): StoredRow[] {
    return (this.ofKind.all(kind) as RawRow[]).map(parse);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Which kind of row each owner column indexes, in the order the columns were added to the schema. */
const OWNED_KINDS: readonly [ResourceKind, [OwnerField, OwnerField]][] = [
  ['recording', ['callSid', 'conferenceSid']],
  ['tr-reservation', ['taskSid', 'workerSid']],
];

/**
 * A store written before owners had columns: add them, fill them from the rows' JSON, and replace
 * the JSON-expression indexes (which every save had to evaluate) with partial indexes on them.
 */
function migrateOwnerColumns(db: Database.Database): void {
  const columns = new Set((db.prepare("SELECT name FROM pragma_table_info('resources')").pluck().all() as string[]).map(String));
  db.transaction(() => {
    for (const [kind, fields] of OWNED_KINDS) {
      if (fields.every((field) => columns.has(OWNER_COLUMNS[field]))) continue;
      for (const field of fields) db.exec(`ALTER TABLE resources ADD COLUMN ${OWNER_COLUMNS[field]} TEXT`);
      const set = fields.map((field) => `${OWNER_COLUMNS[field]} = json_extract(data, '$.${field}')`).join(', ');
      db.prepare(`UPDATE resources SET ${set} WHERE kind = ?`).run(kind);
    }
    db.exec('DROP INDEX IF EXISTS resources_call; DROP INDEX IF EXISTS resources_conference;');
    for (const column of Object.values(OWNER_COLUMNS))
      db.exec(`CREATE INDEX IF NOT EXISTS resources_${column} ON resources (${column}) WHERE ${column} IS NOT NULL`);
  })();
}

interface RawRow {
  sid: string;
  kind: ResourceKind;
  createdMs: number;
  data: string;
}

const parse = (r: RawRow): StoredRow => ({ ...r, data: JSON.parse(r.data) as unknown });
