import { AppError } from '@pause-recording/core';
import { exprValue, LIVE_TASK_STATUSES, type TaskRouterClient, type TrReservation, type TrTask } from './taskrouter-client.ts';

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
  /** The live TaskRouter task that names the call or conference. */
  readonly task: TrTask;
  /** The caller's accepted or wrapping reservation on it (null for a supervisor). */
  readonly reservation: TrReservation | null;
}

const HOLDING = ['accepted', 'wrapping'] as const;

/** The TaskRouter expression that finds the tasks naming this call (either leg) or this conference. */
export function targetExpression(t: CallTarget): string {
  if (t.kind === 'conference') return `conference.sid == ${exprValue(t.conferenceSid)}`;
  const v = exprValue(t.callSid);
  return `call_sid == ${v} OR conference.participants.customer == ${v} OR conference.participants.worker == ${v}`;
}

/**
 * The one answer to "may this caller pause, resume or record this call or conference?", read from
 * TaskRouter every time (nothing cached, so a reservation completed or rescinded a moment ago no
 * longer authorizes): the caller's worker must hold an `accepted` or `wrapping` reservation on a
 * live task whose attributes name the call (`call_sid`, or a leg in `conference.participants`) or
 * the conference (`conference.sid`); a supervisor may act on any live task. Anything else is a 403
 * naming the field and why; a TaskRouter failure is a 5xx and nothing is done (fail closed).
 */
export class CallAuthority {
  constructor(private readonly tr: TaskRouterClient) {}

  async authorize(caller: Caller, target: CallTarget): Promise<Authorized> {
    const field = target.kind === 'call' ? 'callSid' : 'conferenceSid';
    const what = target.kind === 'call' ? `call ${target.callSid}` : `conference ${target.conferenceSid}`;
    const tasks = await this.tr.findTasks(targetExpression(target), LIVE_TASK_STATUSES);
    const first = tasks[0];
    if (first === undefined) {
      throw new AppError(
        'FORBIDDEN',
        `${field}: no live TaskRouter task names ${what} (it has none, or it was completed or canceled), so ${caller.identity} may not pause, resume or record it`,
        { field },
      );
    }
    if (caller.role === 'supervisor') return { task: first, reservation: null };
    const workerSid = caller.workerSid ?? (await this.tr.workerOf(caller.identity))?.sid ?? null;
    if (workerSid === null) {
      throw new AppError('FORBIDDEN', `${field}: ${caller.identity} is no TaskRouter worker (no worker with contact_uri client:${caller.identity})`, {
        field,
      });
    }
    for (const task of tasks) {
      const held = await this.tr.taskReservations(task.sid, HOLDING, workerSid);
      const reservation = held[0];
      if (reservation !== undefined) return { task, reservation };
    }
    throw new AppError(
      'FORBIDDEN',
      `${field}: ${caller.identity} holds no accepted or wrapping reservation on the task of ${what}; only its agent or a supervisor may pause, resume or record it`,
      { field },
    );
  }
}
