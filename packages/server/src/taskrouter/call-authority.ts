import { AppError } from '@pause-recording/core';
import type { TaskStatus } from '@pause-recording/core';
import type { GrantCache } from './grant-cache.ts';
import { exprValue, LIVE_TASK_STATUSES, type TaskRouterClient, type TrReservation } from './taskrouter-client.ts';

/** Who asks: a server login or a validated Flex token (whose `worker_sid` names the caller's worker). */
export interface Caller {
  readonly identity: string;
  /** `supervisor` may act on any live task; anyone else only on a task whose reservation they hold. */
  readonly role: string;
  /** From the Flex token's validation result; null: looked up by identity (`contact_uri` = `client:<identity>`). */
  readonly workerSid: string | null;
}

export type CallTarget = { readonly kind: 'call'; readonly callSid: string } | { readonly kind: 'conference'; readonly conferenceSid: string };

export interface Authorized {
  /** The live TaskRouter task that names the call or conference, and its status as read now. */
  readonly taskSid: string;
  readonly status: TaskStatus;
  /** The caller's accepted or wrapping reservation on it (null for a supervisor). */
  readonly reservation: TrReservation | null;
}

const HOLDING = ['accepted', 'wrapping'] as const;
const fieldOf = (t: CallTarget): string => (t.kind === 'call' ? 'callSid' : 'conferenceSid');
const whatOf = (t: CallTarget): string => (t.kind === 'call' ? `call ${t.callSid}` : `conference ${t.conferenceSid}`);

/** The TaskRouter expression that finds the tasks naming this call (either leg) or this conference. */
export function targetExpression(t: CallTarget): string {
  if (t.kind === 'conference') return `conference.sid == ${exprValue(t.conferenceSid)}`;
  const v = exprValue(t.callSid);
  return `call_sid == ${v} OR conference.participants.customer == ${v} OR conference.participants.worker == ${v}`;
}

/**
 * The one answer to "may this caller pause, resume or record this call or conference?", read from
 * TaskRouter: the caller's worker must hold an `accepted` or `wrapping` reservation on a live task
 * whose attributes name the call (`call_sid`, or a leg in `conference.participants`) or the
 * conference (`conference.sid`); a supervisor may act on any live task. Anything else is a 403
 * naming the field and why; a TaskRouter failure is a 5xx and nothing is done (fail closed).
 * A positive answer may be reused from `grants` (grant-cache.ts): for at most its TTL, and only
 * until a TaskRouter event names its task, reservation or worker; a refusal is never reused.
 */
export class CallAuthority {
  /** identity -> worker SID of server logins. Only the mapping is kept here; reservations are read anew or reused from `grants`. */
  private readonly workers = new Map<string, string>();

  constructor(
    private readonly tr: TaskRouterClient,
    private readonly grants: GrantCache | null = null,
  ) {}

  /**
   * `known`: the TaskRouter task this server made for the call or read from TaskRouter before (its
   * attributes name the call): one read decides (the caller's reservations on it, or the task's
   * status for a supervisor). Otherwise the live tasks naming the call are searched first.
   */
  async authorize(caller: Caller, target: CallTarget, known: string | null = null): Promise<Authorized> {
    if (known !== null) {
      const fast = await this.decide(caller, target, [known]);
      if (fast !== null) return fast;
      // Not on that task: the call may have moved to another task since (a transfer in Flex).
    }
    const found = await this.decide(caller, target, null);
    if (found !== null) return found;
    throw new AppError(
      'FORBIDDEN',
      `${fieldOf(target)}: ${caller.identity} holds no accepted or wrapping reservation on the task of ${whatOf(target)}; only its agent or a supervisor may pause, resume or record it`,
      { field: fieldOf(target) },
    );
  }

  /** The decision over `taskSids`, or (null) over the live tasks naming the target; null: no reservation of the caller there. */
  private async decide(caller: Caller, target: CallTarget, taskSids: readonly string[] | null): Promise<Authorized | null> {
    const field = fieldOf(target);
    const supervisor = caller.role === 'supervisor';
    let candidates: { sid: string; status: TaskStatus }[];
    if (taskSids === null) candidates = await this.tr.findTasks(targetExpression(target), LIVE_TASK_STATUSES);
    // An agent's reservation tells the task's status; a supervisor's decision needs the task itself.
    else if (!supervisor) candidates = taskSids.map((sid) => ({ sid, status: 'assigned' as const }));
    else candidates = (await Promise.all(taskSids.map((sid) => this.liveTask(sid)))).filter((t) => t !== null);
    const first = candidates[0];
    if (first === undefined) {
      if (taskSids !== null) return null;
      throw new AppError(
        'FORBIDDEN',
        `${field}: no live TaskRouter task names ${whatOf(target)} (it has none, or it was completed or canceled), so ${caller.identity} may not pause, resume or record it`,
        { field },
      );
    }
    if (supervisor) return { taskSid: first.sid, status: first.status, reservation: null };
    const workerSid = caller.workerSid ?? (await this.workerSidOf(caller.identity));
    if (workerSid === null) {
      throw new AppError('FORBIDDEN', `${field}: ${caller.identity} is no TaskRouter worker (no worker with contact_uri client:${caller.identity})`, {
        field,
      });
    }
    for (const task of candidates) {
      const reservation = await this.holding(task.sid, workerSid);
      // An accepted reservation means an assigned task, a wrapping one a wrapping task: both live.
      if (reservation !== null) return { taskSid: task.sid, status: reservation.status === 'wrapping' ? 'wrapping' : 'assigned', reservation };
    }
    return null;
  }

  /** The worker's accepted or wrapping reservation on the task (cached while fresh), or null. */
  private async holding(taskSid: string, workerSid: string): Promise<TrReservation | null> {
    const cached = this.grants?.grant(workerSid, taskSid) ?? null;
    if (cached !== null) return cached;
    const token = this.grants?.begin() ?? 0;
    const reservation = (await this.tr.taskReservations(taskSid, HOLDING, workerSid))[0] ?? null;
    if (reservation !== null) this.grants?.putGrant(token, reservation);
    return reservation;
  }

  /** The task and its status if it is live (cached while fresh), or null: a supervisor's decision. */
  private async liveTask(taskSid: string): Promise<{ sid: string; status: TaskStatus } | null> {
    const cached = this.grants?.taskStatus(taskSid) ?? null;
    if (cached !== null) return { sid: taskSid, status: cached };
    const token = this.grants?.begin() ?? 0;
    const t = await this.tr.fetchTask(taskSid);
    if (!LIVE_TASK_STATUSES.includes(t.status)) return null;
    this.grants?.putTask(token, t.sid, t.status);
    return { sid: t.sid, status: t.status };
  }

  private async workerSidOf(identity: string): Promise<string | null> {
    const cached = this.workers.get(identity);
    if (cached !== undefined) return cached;
    const w = await this.tr.workerOf(identity);
    if (w !== null) this.workers.set(identity, w.sid);
    return w?.sid ?? null;
  }
}
