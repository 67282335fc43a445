import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sidProblem, type SidKind } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { TaskRouterJson } from './taskrouter-json.ts';
import { bodyParams, queryParams } from './util.ts';
import { bool, int, oneOf, required, str, url, type Params } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { Workspace } from '../model/taskrouter/types.ts';
import { RESERVATION_STATUSES, TASK_STATUSES } from '../model/taskrouter/types.ts';

/**
 * TaskRouter v1, the subset Flex relies on (see the README's TaskRouter section): workspaces,
 * activities, workers, task queues, workflows, tasks and their reservations, in Twilio's wire
 * form (`/v1/Workspaces/...`, no `.json`, ISO dates, `{<key>: [...], meta: {...}}` lists).
 */
const W = '/v1/Workspaces/:WorkspaceSid';

/** A SID in the path: the wrong shape is a 404 that says why, as for the 2010 API. */
function sidAt(value: string, kind: SidKind): string {
  const problem = sidProblem(kind, value);
  if (problem) throw TwilioHttpError.notFoundBecause(`The requested resource was not found: '${value}' is not a valid SID (${problem})`);
  return value;
}

type P = Record<string, string>;
const paramsOf = (req: FastifyRequest): P => req.params as P;

/** TaskRouter paging: `PageSize` (1..1000, default 50), `Page` from 0, links in `meta`. */
function page<T>(req: FastifyRequest, origin: string, key: string, all: T[], toJson: (x: T) => unknown): Record<string, unknown> {
  const q = queryParams(req);
  const pageSize = int(q, 'PageSize', { min: 1, max: 1000 }) ?? 50;
  const pageNo = int(q, 'Page', { min: 0, max: 1_000_000 }) ?? 0;
  const path = req.url.split('?')[0]!;
  const filters = Object.entries(q)
    .filter(([k]) => k !== 'PageSize' && k !== 'Page' && k !== 'PageToken')
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `&${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`))
    .join('');
  const urlFor = (p: number) => `${origin}${path}?PageSize=${pageSize}&Page=${p}${filters}`;
  const start = pageNo * pageSize;
  return {
    [key]: all.slice(start, start + pageSize).map(toJson),
    meta: {
      page: pageNo,
      page_size: pageSize,
      first_page_url: urlFor(0),
      previous_page_url: pageNo > 0 ? urlFor(pageNo - 1) : null,
      url: urlFor(pageNo),
      next_page_url: start + pageSize < all.length ? urlFor(pageNo + 1) : null,
      key,
    },
  };
}

/** A JSON-object parameter (`Attributes`), or the fallback when absent. */
function jsonObject(p: Params, name: string, fallback: string | undefined): string | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw TwilioHttpError.invalid(name, 'must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw TwilioHttpError.invalid(name, 'must be a JSON object');
  return v;
}

/** A filter that may repeat (`AssignmentStatus=pending&AssignmentStatus=reserved`) or be comma-separated. */
function statusFilter<T extends string>(q: Params, name: string, allowed: readonly T[]): T[] | null {
  const raw = q[name];
  if (raw === undefined || raw === '') return null;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const s of parts) if (!(allowed as readonly string[]).includes(s)) throw TwilioHttpError.invalid(name, `must be one of ${allowed.join(', ')}; got '${s}'`);
  return parts as T[];
}

export function registerTaskRouterRoutes(app: FastifyInstance, engine: Engine): void {
  const tr = engine.taskrouter;
  const json = new TaskRouterJson(engine.accountSid, () => engine.origin, tr);
  const ws = (req: FastifyRequest): Workspace => tr.workspace(sidAt(paramsOf(req)['WorkspaceSid']!, 'workspace'));

  // ---------------------------------------------------------------- workspaces
  app.post('/v1/Workspaces', async (req, reply) => {
    const p = bodyParams(req);
    if (bool(p, 'MultiTaskEnabled', false)) throw TwilioHttpError.invalid('MultiTaskEnabled', 'multitasking is not emulated; a worker holds one task at a time');
    const w = tr.createWorkspace({ friendlyName: required(p, 'FriendlyName'), eventCallbackUrl: url(p, 'EventCallbackUrl') ?? null });
    return reply.code(201).send(json.workspace(w));
  });
  app.get('/v1/Workspaces', async (req) => {
    const name = str(queryParams(req), 'FriendlyName');
    return page(req, engine.origin, 'workspaces', tr.listWorkspaces().filter((w) => !name || w.friendlyName === name), (w) => json.workspace(w));
  });
  app.get(W, async (req) => json.workspace(ws(req)));
  app.post(W, async (req) => {
    const w = ws(req);
    const p = bodyParams(req);
    const friendlyName = str(p, 'FriendlyName');
    if (friendlyName === '') throw TwilioHttpError.invalid('FriendlyName', 'must not be empty');
    return json.workspace(
      tr.updateWorkspace(w, {
        ...(friendlyName !== undefined ? { friendlyName } : {}),
        ...(p['EventCallbackUrl'] !== undefined ? { eventCallbackUrl: url(p, 'EventCallbackUrl') ?? null } : {}),
      }),
    );
  });

  // ---------------------------------------------------------------- activities
  app.post(`${W}/Activities`, async (req, reply) => {
    const w = ws(req);
    const p = bodyParams(req);
    return reply.code(201).send(json.activity(tr.createActivity(w, { friendlyName: required(p, 'FriendlyName'), available: bool(p, 'Available', false) })));
  });
  app.get(`${W}/Activities`, async (req) => {
    const w = ws(req);
    const q = queryParams(req);
    const name = str(q, 'FriendlyName');
    const available = q['Available'] === undefined ? undefined : bool(q, 'Available', false);
    const all = tr.list(tr.activities, w, (a) => (!name || a.friendlyName === name) && (available === undefined || a.available === available));
    return page(req, engine.origin, 'activities', all, (a) => json.activity(a));
  });
  app.get(`${W}/Activities/:Sid`, async (req) => json.activity(tr.activity(ws(req), sidAt(paramsOf(req)['Sid']!, 'activity'))));

  // ---------------------------------------------------------------- workers
  app.post(`${W}/Workers`, async (req, reply) => {
    const w = ws(req);
    const p = bodyParams(req);
    const worker = tr.createWorker(w, { friendlyName: required(p, 'FriendlyName'), attributes: jsonObject(p, 'Attributes', '{}')!, activitySid: str(p, 'ActivitySid') || undefined });
    return reply.code(201).send(json.worker(worker));
  });
  app.get(`${W}/Workers`, async (req) => {
    const w = ws(req);
    const q = queryParams(req);
    const name = str(q, 'FriendlyName');
    const activitySid = str(q, 'ActivitySid');
    const activityName = str(q, 'ActivityName');
    const available = q['Available'] === undefined ? undefined : bool(q, 'Available', false);
    const all = tr.list(tr.workers, w, (x) => {
      const a = tr.activities.get(x.activitySid);
      return (!name || x.friendlyName === name) && (!activitySid || x.activitySid === activitySid) && (!activityName || a?.friendlyName === activityName) && (available === undefined || a?.available === available);
    });
    return page(req, engine.origin, 'workers', all, (x) => json.worker(x));
  });
  app.get(`${W}/Workers/:Sid`, async (req) => json.worker(tr.worker(ws(req), sidAt(paramsOf(req)['Sid']!, 'worker'))));
  app.post(`${W}/Workers/:Sid`, async (req) => {
    const w = ws(req);
    const worker = tr.worker(w, sidAt(paramsOf(req)['Sid']!, 'worker'));
    const p = bodyParams(req);
    const friendlyName = str(p, 'FriendlyName');
    if (friendlyName === '') throw TwilioHttpError.invalid('FriendlyName', 'must not be empty');
    return json.worker(tr.updateWorker(w, worker, { friendlyName, attributes: jsonObject(p, 'Attributes', undefined), activitySid: str(p, 'ActivitySid') || undefined }));
  });

  // ---------------------------------------------------------------- task queues
  app.post(`${W}/TaskQueues`, async (req, reply) => {
    const w = ws(req);
    const p = bodyParams(req);
    oneOf(p, 'TaskOrder', ['FIFO'] as const, 'FIFO');
    const q = tr.createQueue(w, {
      friendlyName: required(p, 'FriendlyName'),
      targetWorkers: str(p, 'TargetWorkers') || '1==1',
      maxReservedWorkers: int(p, 'MaxReservedWorkers', { min: 1, max: 1 }) ?? 1,
    });
    return reply.code(201).send(json.queue(q));
  });
  app.get(`${W}/TaskQueues`, async (req) => {
    const w = ws(req);
    const name = str(queryParams(req), 'FriendlyName');
    return page(req, engine.origin, 'task_queues', tr.list(tr.queues, w, (q) => !name || q.friendlyName === name), (q) => json.queue(q));
  });
  app.get(`${W}/TaskQueues/:Sid`, async (req) => json.queue(tr.queue(ws(req), sidAt(paramsOf(req)['Sid']!, 'taskQueue'))));

  // ---------------------------------------------------------------- workflows
  app.post(`${W}/Workflows`, async (req, reply) => {
    const w = ws(req);
    const p = bodyParams(req);
    const wf = tr.createWorkflow(w, {
      friendlyName: required(p, 'FriendlyName'),
      configuration: required(p, 'Configuration'),
      taskReservationTimeout: int(p, 'TaskReservationTimeout', { min: 1, max: 86_400 }) ?? 120,
      assignmentCallbackUrl: url(p, 'AssignmentCallbackUrl') ?? null,
    });
    return reply.code(201).send(json.workflow(wf));
  });
  app.get(`${W}/Workflows`, async (req) => {
    const w = ws(req);
    const name = str(queryParams(req), 'FriendlyName');
    return page(req, engine.origin, 'workflows', tr.list(tr.workflows, w, (x) => !name || x.friendlyName === name), (x) => json.workflow(x));
  });
  app.get(`${W}/Workflows/:Sid`, async (req) => json.workflow(tr.workflow(ws(req), sidAt(paramsOf(req)['Sid']!, 'workflow'))));

  // ---------------------------------------------------------------- tasks
  app.post(`${W}/Tasks`, async (req, reply) => {
    const w = ws(req);
    const p = bodyParams(req);
    const t = tr.createTask(w, {
      workflowSid: str(p, 'WorkflowSid') || undefined,
      attributes: jsonObject(p, 'Attributes', '{}')!,
      priority: int(p, 'Priority', { min: 0, max: 2 ** 31 - 1 }) ?? 0,
      timeout: int(p, 'Timeout', { min: 1, max: 2_592_000 }) ?? 86_400,
    });
    return reply.code(201).send(json.task(t));
  });
  app.get(`${W}/Tasks`, async (req) => {
    const w = ws(req);
    const q = queryParams(req);
    const statuses = statusFilter(q, 'AssignmentStatus', TASK_STATUSES);
    const workflowSid = str(q, 'WorkflowSid');
    const queueSid = str(q, 'TaskQueueSid');
    const all = tr.list(tr.tasks, w, (t) => (!statuses || statuses.includes(t.assignmentStatus)) && (!workflowSid || t.workflowSid === workflowSid) && (!queueSid || t.taskQueueSid === queueSid));
    return page(req, engine.origin, 'tasks', all, (t) => json.task(t));
  });
  app.get(`${W}/Tasks/:Sid`, async (req) => json.task(tr.task(ws(req), sidAt(paramsOf(req)['Sid']!, 'task'))));
  app.post(`${W}/Tasks/:Sid`, async (req) => {
    const w = ws(req);
    const t = tr.task(w, sidAt(paramsOf(req)['Sid']!, 'task'));
    const p = bodyParams(req);
    return json.task(
      tr.updateTask(w, t, {
        attributes: jsonObject(p, 'Attributes', undefined),
        priority: int(p, 'Priority', { min: 0, max: 2 ** 31 - 1 }),
        assignmentStatus: oneOf(p, 'AssignmentStatus', ['canceled', 'wrapping', 'completed'] as const),
        reason: str(p, 'Reason'),
      }),
    );
  });

  // ---------------------------------------------------------------- reservations (under the task and under the worker)
  for (const under of ['task', 'worker'] as const) {
    const base = under === 'task' ? `${W}/Tasks/:TaskSid/Reservations` : `${W}/Workers/:WorkerSid/Reservations`;
    const owner = (req: FastifyRequest, w: Workspace): { taskSid?: string; workerSid?: string } =>
      under === 'task' ? { taskSid: tr.task(w, sidAt(paramsOf(req)['TaskSid']!, 'task')).sid } : { workerSid: tr.worker(w, sidAt(paramsOf(req)['WorkerSid']!, 'worker')).sid };
    const reservationOf = (req: FastifyRequest, w: Workspace) => {
      const o = owner(req, w);
      const r = tr.reservation(w, sidAt(paramsOf(req)['Sid']!, 'reservation'));
      if ((o.taskSid && r.taskSid !== o.taskSid) || (o.workerSid && r.workerSid !== o.workerSid)) throw TwilioHttpError.notFound(`Reservation ${r.sid}`);
      return r;
    };
    app.get(base, async (req) => {
      const w = ws(req);
      const o = owner(req, w);
      const q = queryParams(req);
      const statuses = statusFilter(q, 'ReservationStatus', RESERVATION_STATUSES);
      const workerSid = under === 'task' ? str(q, 'WorkerSid') : undefined;
      const all = tr.list(tr.reservations, w, (r) => (!o.taskSid || r.taskSid === o.taskSid) && (!o.workerSid || r.workerSid === o.workerSid) && (!statuses || statuses.includes(r.status)) && (!workerSid || r.workerSid === workerSid));
      return page(req, engine.origin, 'reservations', all, (r) => json.reservation(r, under));
    });
    app.get(`${base}/:Sid`, async (req) => {
      const w = ws(req);
      return json.reservation(reservationOf(req, w), under);
    });
    app.post(`${base}/:Sid`, async (req) => {
      const w = ws(req);
      const r = reservationOf(req, w);
      const p = bodyParams(req);
      const status = oneOf(p, 'ReservationStatus', ['accepted', 'rejected', 'wrapping', 'completed'] as const);
      const instruction = oneOf(p, 'Instruction', ['conference', 'accept'] as const);
      if (status === undefined && instruction === undefined) throw TwilioHttpError.missing('ReservationStatus');
      const updated = tr.updateReservation(w, r, {
        status: status ?? 'accepted',
        instruction: instruction === 'conference' ? 'conference' : undefined,
        from: str(p, 'From') || undefined,
        to: str(p, 'To') || undefined,
        endConferenceOnExit: p['EndConferenceOnExit'] === undefined ? undefined : bool(p, 'EndConferenceOnExit', false),
        workerActivitySid: str(p, 'WorkerActivitySid') || undefined,
      });
      return json.reservation(updated, under);
    });
  }
}
