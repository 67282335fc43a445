import type { TaskAttributes, TaskStatus, TaskView } from '@pause-recording/core';
import { Statements, type Db } from '../storage/database.ts';

export interface TaskRecord extends TaskView {
  readonly conferenceSid: string | null;
  /** The agent's call leg in the conference, once accepted. */
  readonly workerCallSid: string | null;
  /** Agents who declined this task (it is not offered to them again). */
  readonly rejectedBy: readonly string[];
  /** The TaskRouter task that carries the call now: `sid` itself until a transfer hands the call to a new task. */
  readonly routerTaskSid: string;
}

export interface NewTask {
  readonly sid: string;
  readonly queue: string;
  readonly attributes: TaskAttributes;
}

export interface TaskPatch {
  readonly status?: TaskStatus;
  readonly worker?: string | null;
  readonly conferenceSid?: string;
  readonly workerCallSid?: string;
  readonly attributes?: TaskAttributes;
  readonly rejectedBy?: readonly string[];
  readonly routerTaskSid?: string;
}

export interface TaskStore {
  create(t: NewTask): TaskRecord;
  get(sid: string): TaskRecord | null;
  byCallSid(callSid: string): TaskRecord | null;
  byConference(conferenceSidOrName: string): TaskRecord | null;
  list(filter?: { worker?: string; statuses?: readonly TaskStatus[] }): TaskRecord[];
  update(sid: string, patch: TaskPatch): TaskRecord;
}

interface Row {
  sid: string;
  status: string;
  worker: string | null;
  queue: string;
  call_sid: string;
  conference_sid: string | null;
  worker_call_sid: string | null;
  attributes: string;
  rejected_by: string;
  created_at: string;
  updated_at: string;
  accepted_at: string | null;
  router_task_sid: string | null;
}

function toRecord(r: Row): TaskRecord {
  return {
    sid: r.sid,
    status: r.status as TaskStatus,
    worker: r.worker,
    queue: r.queue,
    attributes: JSON.parse(r.attributes) as TaskAttributes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    acceptedAt: r.accepted_at,
    conferenceSid: r.conference_sid,
    workerCallSid: r.worker_call_sid,
    rejectedBy: JSON.parse(r.rejected_by) as string[],
    routerTaskSid: r.router_task_sid ?? r.sid,
  };
}

/** The public view of a task (what `/api/tasks` answers). */
export function taskView(t: TaskRecord): TaskView {
  return {
    sid: t.sid,
    status: t.status,
    worker: t.worker,
    queue: t.queue,
    attributes: t.attributes,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    acceptedAt: t.acceptedAt,
  };
}

export class SqliteTaskStore implements TaskStore {
  private readonly sql: Statements;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = new Statements(db);
  }

  create(t: NewTask): TaskRecord {
    const at = new Date(this.now()).toISOString();
    this.sql
      .of(
        `INSERT INTO tasks (sid, status, worker, queue, call_sid, attributes, created_at, updated_at)
         VALUES (?, 'pending', NULL, ?, ?, ?, ?, ?)`,
      )
      .run(t.sid, t.queue, t.attributes.call_sid, JSON.stringify(t.attributes), at, at);
    return this.mustGet(t.sid);
  }

  get(sid: string): TaskRecord | null {
    const r = this.sql.of('SELECT * FROM tasks WHERE sid = ?').get(sid) as Row | undefined;
    return r === undefined ? null : toRecord(r);
  }

  byCallSid(callSid: string): TaskRecord | null {
    const r = this.sql.of('SELECT * FROM tasks WHERE call_sid = ? OR worker_call_sid = ?').get(callSid, callSid) as Row | undefined;
    return r === undefined ? null : toRecord(r);
  }

  byConference(conference: string): TaskRecord | null {
    const r = this.sql
      .of(`SELECT * FROM tasks WHERE conference_sid = ? OR json_extract(attributes, '$.conference.friendly_name') = ?`)
      .get(conference, conference) as Row | undefined;
    return r === undefined ? null : toRecord(r);
  }

  list(filter: { worker?: string; statuses?: readonly TaskStatus[] } = {}): TaskRecord[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.worker !== undefined) {
      where.push('worker = ?');
      params.push(filter.worker);
    }
    if (filter.statuses !== undefined) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(',') || "''"})`);
      params.push(...filter.statuses);
    }
    const sql = `SELECT * FROM tasks ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at, sid`;
    return (this.sql.of(sql).all(...params) as Row[]).map(toRecord);
  }

  update(sid: string, patch: TaskPatch): TaskRecord {
    const cur = this.mustGet(sid);
    const next = {
      status: patch.status ?? cur.status,
      worker: patch.worker === undefined ? cur.worker : patch.worker,
      conferenceSid: patch.conferenceSid ?? cur.conferenceSid,
      workerCallSid: patch.workerCallSid ?? cur.workerCallSid,
      attributes: patch.attributes ?? cur.attributes,
      rejectedBy: patch.rejectedBy ?? cur.rejectedBy,
      routerTaskSid: patch.routerTaskSid ?? cur.routerTaskSid,
    };
    // Strictly later than the task's last change, even within one millisecond or with the clock
    // stepped back: clients order a task's states by it (the desktop's TaskBoard).
    const at = new Date(Math.max(this.now(), Date.parse(cur.updatedAt) + 1)).toISOString();
    // The call timer counts from the moment the task first became assigned (a transfer keeps it).
    const acceptedAt = cur.acceptedAt ?? (next.status === 'assigned' ? at : null);
    this.sql
      .of(
        `UPDATE tasks SET status = ?, worker = ?, conference_sid = ?, worker_call_sid = ?, attributes = ?, rejected_by = ?, updated_at = ?, accepted_at = ?,
         router_task_sid = ? WHERE sid = ?`,
      )
      .run(
        next.status,
        next.worker,
        next.conferenceSid,
        next.workerCallSid,
        JSON.stringify(next.attributes),
        JSON.stringify(next.rejectedBy),
        at,
        acceptedAt,
        next.routerTaskSid === sid ? null : next.routerTaskSid,
        sid,
      );
    return this.mustGet(sid);
  }

  private mustGet(sid: string): TaskRecord {
    const t = this.get(sid);
    if (t === null) throw new Error(`task ${sid} vanished`);
    return t;
  }
}
