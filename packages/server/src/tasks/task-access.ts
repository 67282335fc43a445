import { AppError, type TaskAttributes, type TaskStatus } from '@pause-recording/core';
import type { User } from '../auth/user-directory.ts';
import { requireSid } from '../http/errors.ts';
import { ProviderError } from '../provider/provider-errors.ts';
import type { Authorized, CallAuthority, Caller, CallTarget } from '../taskrouter/call-authority.ts';
import type { TaskRouterClient, TrTask } from '../taskrouter/taskrouter-client.ts';
import type { TaskRecord, TaskStore } from './task-store.ts';

/** The authenticated caller (set by the server's authentication hook on every non-public `/api` route). */
export function currentUser(request: { readonly user: User | null }): User {
  if (request.user === null) throw new AppError('UNAUTHENTICATED', 'authorization: not logged in', { field: 'authorization' });
  return request.user;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Who may see and act on a task. Seeing: this server's view of the task (its agent, or any
 * supervisor). Acting on its call (pause, resume, hold, transfer, hang up, complete): TaskRouter's
 * answer through `CallAuthority`, read per request. In production, a task this server has not seen
 * yet (Flex created it) is read from TaskRouter and kept as the view the recording bookkeeping uses.
 */
export class TaskAccess {
  /** One authorization per request: the preValidation hook's answer, reused by the handler of the same request. */
  private readonly decided = new WeakMap<object, { task: TaskRecord; user: User }>();

  constructor(
    private readonly d: { readonly tasks: TaskStore; readonly router: TaskRouterClient; readonly authority: CallAuthority; readonly production: boolean },
  ) {}

  get tasks(): TaskStore {
    return this.d.tasks;
  }

  static caller(user: User): Caller {
    return { identity: user.identity, role: user.role, workerSid: user.workerSid ?? null };
  }

  /** The task `taskSid` for any caller: this server's view, or (production) TaskRouter's task. 400 / 404. */
  private async find(taskSid: string): Promise<TaskRecord> {
    // The route schema checked the shape already; checked again so a caller outside a route cannot skip it.
    const sid = requireSid('task', taskSid, 'taskSid');
    const known = this.d.tasks.get(sid);
    if (known !== null || !this.d.production) {
      if (known === null) throw new AppError('NOT_FOUND', `no task ${sid}`, { field: 'taskSid' });
      return known;
    }
    let tr: TrTask;
    try {
      tr = await this.d.router.fetchTask(sid);
    } catch (e) {
      if (e instanceof ProviderError && e.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', `no task ${sid}`, { field: 'taskSid' });
      throw e;
    }
    const t = this.project(tr, null);
    if (t === null) throw new AppError('NOT_FOUND', `task ${sid} names no call (attributes.call_sid)`, { field: 'taskSid' });
    return t;
  }

  /** The task, if the caller may see it: its agent, or any supervisor. 400 / 404 / 403 otherwise. */
  async view(request: { readonly user: User | null }, taskSid: string): Promise<{ task: TaskRecord; user: User }> {
    const user = currentUser(request);
    const task = await this.find(taskSid);
    if (user.role !== 'supervisor' && task.worker !== user.identity) {
      // Production: the view may not know the agent yet; TaskRouter's reservation decides.
      if (!this.d.production) throw new AppError('FORBIDDEN', `task ${task.sid} is not assigned to ${user.identity}`, { field: 'taskSid' });
      await this.authorizeTask(user, task);
    }
    return { task, user };
  }

  /** The task, if the caller may act on its call now (TaskRouter, call-authority.ts). 400 / 404 / 403 otherwise. */
  async act(request: { readonly user: User | null }, taskSid: string): Promise<{ task: TaskRecord; user: User }> {
    const done = this.decided.get(request);
    if (done !== undefined && done.task.sid === taskSid) return { task: this.d.tasks.get(taskSid) ?? done.task, user: done.user };
    const user = currentUser(request);
    const task = await this.find(taskSid);
    const authorized = await this.authorizeTask(user, task);
    const answer = { task: this.d.production ? this.refresh(task, authorized) : task, user };
    this.decided.set(request, answer);
    return answer;
  }

  /** A `preValidation` hook: the caller may act on `:taskSid`, checked before the body is validated. */
  actCheck() {
    return async (request: { readonly user: User | null; readonly params: { readonly taskSid: string } }): Promise<void> => {
      await this.act(request, request.params.taskSid);
    };
  }

  private async authorizeTask(user: User, task: TaskRecord): Promise<Authorized> {
    try {
      return await this.d.authority.authorize(TaskAccess.caller(user), { kind: 'call', callSid: task.attributes.call_sid }, task.routerTaskSid);
    } catch (e) {
      // Said in the task API's terms: the task, not the call SID the check went through.
      if (e instanceof AppError && e.code === 'FORBIDDEN') throw new AppError('FORBIDDEN', `task ${task.sid}: ${e.message}`, { field: 'taskSid' });
      throw e;
    }
  }

  /** For the seed routes: the caller may act on this call or conference (403 otherwise); its task as this server knows it. */
  async forCall(caller: Caller, target: CallTarget): Promise<{ task: TaskRecord | null; authorized: Authorized }> {
    const known = target.kind === 'call' ? this.d.tasks.byCallSid(target.callSid) : this.d.tasks.byConference(target.conferenceSid);
    const authorized = await this.d.authority.authorize(caller, target, known?.routerTaskSid ?? null);
    if (known !== null) return { task: this.d.production ? this.refresh(known, authorized) : known, authorized };
    // Production: the task Flex made, kept so pause state is keyed by its TaskRouter SID.
    return { task: this.d.production ? this.project(await this.d.router.fetchTask(authorized.taskSid), authorized) : null, authorized };
  }

  /** Production: the view follows TaskRouter's status and agent as last read. */
  private refresh(task: TaskRecord, a: Authorized): TaskRecord {
    if (a.taskSid !== task.routerTaskSid) return task;
    const worker = a.reservation?.workerName ?? task.worker;
    if (a.status === task.status && worker === task.worker) return task;
    return this.d.tasks.update(task.sid, { status: a.status, worker });
  }

  /** TaskRouter's task as this server's view (production); null when its attributes name no call. */
  private project(tr: TrTask, a: Authorized | null): TaskRecord | null {
    const a0 = tr.attributes;
    const callSid = text(a0['call_sid']);
    if (callSid === null) return null;
    const existing = this.d.tasks.get(tr.sid) ?? this.d.tasks.byCallSid(callSid);
    if (existing !== null) return a === null ? existing : this.refresh(existing, a);
    const conf = record(a0['conference']);
    const parts = record(conf['participants']);
    const conferenceSid = text(conf['sid']);
    const attributes: TaskAttributes = {
      ...a0,
      call_sid: callSid,
      from: text(a0['from']) ?? '',
      to: text(a0['to']) ?? '',
      direction: 'inbound',
      client_call: a0['client_call'] === true,
      conference: {
        sid: conferenceSid,
        friendly_name: text(conf['friendly_name']) ?? tr.sid,
        participants: { customer: text(parts['customer']) ?? callSid, worker: text(parts['worker']) },
      },
    };
    this.d.tasks.create({ sid: tr.sid, queue: tr.queueName ?? '', attributes });
    return this.d.tasks.update(tr.sid, {
      status: tr.status as TaskStatus,
      worker: a?.reservation?.workerName ?? null,
      ...(conferenceSid === null ? {} : { conferenceSid }),
      ...(attributes.conference.participants.worker === null ? {} : { workerCallSid: attributes.conference.participants.worker }),
    });
  }
}
