import Type from 'typebox';
import { sidProblem, TWILIO_ERROR, type SidKind } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { TaskRouterJson } from './taskrouter-json.ts';
import { Form, Paging, type EngineApp } from './form.ts';
import type { Engine } from '../model/engine.ts';
import type { Workspace } from '../model/taskrouter/types.ts';
import { RESERVATION_STATUSES, TASK_STATUSES } from '../model/taskrouter/types.ts';
import { matches, parseExpression } from '../model/taskrouter/expressions.ts';
import { newestFirst } from '../model/registry.ts';

/**
 * TaskRouter v1, the subset Flex relies on (see the README's TaskRouter section): workspaces,
 * activities, workers, task queues, workflows, tasks and their reservations, in Twilio's wire
 * form (`/v1/Workspaces/...`, no `.json`, ISO dates, `{<key>: [...], meta: {...}}` lists).
 * Params, query and body are checked by the TypeBox schemas below (http/form.ts decodes the
 * form values and answers a bad one with Twilio's 400 naming the parameter).
 */
const W = '/v1/Workspaces/:WorkspaceSid';

/** A SID in the path: the wrong shape is a 404 that says why, as for the 2010 API. */
function sidAt(value: string, kind: SidKind): string {
  const problem = sidProblem(kind, value);
  if (problem) throw TwilioHttpError.notFoundBecause(`The requested resource was not found: '${value}' is not a valid SID (${problem})`);
  return value;
}

// ---------------------------------------------------------------- schemas
/** Path SIDs are plain strings here: their shape is checked by `sidAt`, so a bad one is a 404, not a 400. */
const WorkspacePath = Type.Object({ WorkspaceSid: Type.String() });
const ItemPath = Type.Object({ WorkspaceSid: Type.String(), Sid: Type.String() });
/** Reservations are listed under a task (`TaskSid`) or under a worker (`WorkerSid`). */
const ReservationsPath = Type.Object({ WorkspaceSid: Type.String(), TaskSid: Type.Optional(Type.String()), WorkerSid: Type.Optional(Type.String()) });
const ReservationPath = Type.Object({ ...ReservationsPath.properties, Sid: Type.String() });

/** A JSON object such as `Attributes`; parsed and checked in the route, where its problem is named. */
const JsonText = Type.String();
/** An update's name: sent empty it is refused (in the route) rather than ignored. */
const NewName = Type.String();
/** An empty URL clears the webhook. */
const ClearableUrl = Type.Union([Type.Literal(''), Form.url()], { problem: 'must be an absolute http(s) URL', code: TWILIO_ERROR.INVALID_URL });
const Priority = Form.int(0, 2 ** 31 - 1);

const ByName = Type.Object({ ...Paging, FriendlyName: Type.Optional(Type.String()) });

const CreateWorkspace = Type.Object({ FriendlyName: Form.text(), EventCallbackUrl: Type.Optional(Form.url()), MultiTaskEnabled: Type.Optional(Form.bool()) });
const UpdateWorkspace = Type.Object({ FriendlyName: Type.Optional(NewName), EventCallbackUrl: Type.Optional(ClearableUrl) });

const CreateActivity = Type.Object({ FriendlyName: Form.text(), Available: Type.Optional(Form.bool()) });
const ListActivities = Type.Object({ ...Paging, FriendlyName: Type.Optional(Type.String()), Available: Type.Optional(Form.bool()) });

const CreateWorker = Type.Object({ FriendlyName: Form.text(), Attributes: Type.Optional(JsonText), ActivitySid: Type.Optional(Type.String()) });
const UpdateWorker = Type.Object({ FriendlyName: Type.Optional(NewName), Attributes: Type.Optional(JsonText), ActivitySid: Type.Optional(Type.String()) });
const ListWorkers = Type.Object({
  ...Paging,
  FriendlyName: Type.Optional(Type.String()),
  ActivitySid: Type.Optional(Type.String()),
  ActivityName: Type.Optional(Type.String()),
  Available: Type.Optional(Form.bool()),
});

const CreateQueue = Type.Object({
  FriendlyName: Form.text(),
  TargetWorkers: Type.Optional(Type.String()),
  TaskOrder: Type.Optional(Form.oneOf(['FIFO'])),
  /** One reservation at a time: the only value emulated. */
  MaxReservedWorkers: Type.Optional(Form.int(1, 1)),
});

const CreateWorkflow = Type.Object({
  FriendlyName: Form.text(),
  Configuration: Form.text(),
  TaskReservationTimeout: Type.Optional(Form.int(1, 86_400)),
  AssignmentCallbackUrl: Type.Optional(Form.url()),
});

const CreateTask = Type.Object({
  WorkflowSid: Type.Optional(Type.String()),
  Attributes: Type.Optional(JsonText),
  Priority: Type.Optional(Priority),
  Timeout: Type.Optional(Form.int(1, 2_592_000)),
});
const UpdateTask = Type.Object({
  Attributes: Type.Optional(JsonText),
  Priority: Type.Optional(Priority),
  AssignmentStatus: Type.Optional(Form.oneOf(['canceled', 'wrapping', 'completed'])),
  Reason: Type.Optional(Type.String()),
});
/** Status filters may repeat (`AssignmentStatus=pending&AssignmentStatus=reserved`) or be comma-separated. */
const ListTasks = Type.Object({
  ...Paging,
  AssignmentStatus: Type.Optional(Type.Array(Form.oneOf(TASK_STATUSES))),
  WorkflowSid: Type.Optional(Type.String()),
  TaskQueueSid: Type.Optional(Type.String()),
  /** An expression over the task's attributes (`call_sid == 'CA…' OR conference.sid == 'CF…'`). */
  EvaluateTaskAttributes: Type.Optional(Type.String()),
});

const ListReservations = Type.Object({
  ...Paging,
  ReservationStatus: Type.Optional(Type.Array(Form.oneOf(RESERVATION_STATUSES))),
  WorkerSid: Type.Optional(Type.String()),
});
const UpdateReservation = Type.Object({
  ReservationStatus: Type.Optional(Form.oneOf(['accepted', 'rejected', 'wrapping', 'completed'])),
  Instruction: Type.Optional(Form.oneOf(['conference', 'accept'])),
  From: Type.Optional(Type.String()),
  To: Type.Optional(Type.String()),
  EndConferenceOnExit: Type.Optional(Form.bool()),
  StatusCallback: Type.Optional(Form.url()),
  WorkerActivitySid: Type.Optional(Type.String()),
});

/** TaskRouter paging (already checked by the query schema): `PageSize` default 50, `Page` from 0, links in `meta`. */
function page<T>(
  rawUrl: string,
  q: Readonly<Record<string, unknown>> & { PageSize?: number; Page?: number },
  origin: string,
  key: string,
  all: T[],
  toJson: (x: T) => unknown,
): Record<string, unknown> {
  const pageSize = q.PageSize ?? 50;
  const pageNo = q.Page ?? 0;
  const path = rawUrl.split('?')[0]!;
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

/** A JSON-object parameter (`Attributes`), or the fallback when absent or empty. */
function jsonObject(v: string | undefined, name: string, fallback: string): string;
function jsonObject(v: string | undefined, name: string, fallback: undefined): string | undefined;
function jsonObject(v: string | undefined, name: string, fallback: string | undefined): string | undefined {
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

/** A new name, when sent: empty is refused rather than ignored. */
function newName(v: string | undefined): string | undefined {
  if (v === '') throw TwilioHttpError.invalid('FriendlyName', 'must not be empty');
  return v;
}

export function registerTaskRouterRoutes(app: EngineApp, engine: Engine): void {
  const tr = engine.taskrouter;
  const json = new TaskRouterJson(engine.accountSid, () => engine.origin, tr);
  const ws = (sid: string): Workspace => tr.workspace(sidAt(sid, 'workspace'));

  // ---------------------------------------------------------------- workspaces
  app.post('/v1/Workspaces', { schema: { body: CreateWorkspace } }, async (req, reply) => {
    const p = req.body;
    if (p.MultiTaskEnabled === true) throw TwilioHttpError.invalid('MultiTaskEnabled', 'multitasking is not emulated; a worker holds one task at a time');
    const w = tr.createWorkspace({ friendlyName: p.FriendlyName, eventCallbackUrl: p.EventCallbackUrl ?? null });
    return reply.code(201).send(json.workspace(w));
  });
  app.get('/v1/Workspaces', { schema: { querystring: ByName } }, async (req) => {
    const name = req.query.FriendlyName;
    return page(
      req.url,
      req.query,
      engine.origin,
      'workspaces',
      tr.listWorkspaces().filter((w) => !name || w.friendlyName === name),
      (w) => json.workspace(w),
    );
  });
  app.get(W, { schema: { params: WorkspacePath } }, async (req) => json.workspace(ws(req.params.WorkspaceSid)));
  app.post(W, { schema: { params: WorkspacePath, body: UpdateWorkspace } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    const friendlyName = newName(p.FriendlyName);
    return json.workspace(
      tr.updateWorkspace(w, {
        ...(friendlyName !== undefined ? { friendlyName } : {}),
        ...(p.EventCallbackUrl !== undefined ? { eventCallbackUrl: p.EventCallbackUrl || null } : {}),
      }),
    );
  });

  // ---------------------------------------------------------------- activities
  app.post(`${W}/Activities`, { schema: { params: WorkspacePath, body: CreateActivity } }, async (req, reply) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    return reply.code(201).send(json.activity(tr.createActivity(w, { friendlyName: p.FriendlyName, available: p.Available ?? false })));
  });
  app.get(`${W}/Activities`, { schema: { params: WorkspacePath, querystring: ListActivities } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const { FriendlyName: name, Available: available } = req.query;
    const all = tr.list(tr.activities, w, (a) => (!name || a.friendlyName === name) && (available === undefined || a.available === available));
    return page(req.url, req.query, engine.origin, 'activities', all, (a) => json.activity(a));
  });
  app.get(`${W}/Activities/:Sid`, { schema: { params: ItemPath } }, async (req) =>
    json.activity(tr.activity(ws(req.params.WorkspaceSid), sidAt(req.params.Sid, 'activity'))),
  );

  // ---------------------------------------------------------------- workers
  app.post(`${W}/Workers`, { schema: { params: WorkspacePath, body: CreateWorker } }, async (req, reply) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    const worker = tr.createWorker(w, {
      friendlyName: p.FriendlyName,
      attributes: jsonObject(p.Attributes, 'Attributes', '{}'),
      activitySid: p.ActivitySid || undefined,
    });
    return reply.code(201).send(json.worker(worker));
  });
  app.get(`${W}/Workers`, { schema: { params: WorkspacePath, querystring: ListWorkers } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const { FriendlyName: name, ActivitySid: activitySid, ActivityName: activityName, Available: available } = req.query;
    const all = tr.list(tr.workers, w, (x) => {
      const a = tr.activities.get(x.activitySid);
      return (
        (!name || x.friendlyName === name) &&
        (!activitySid || x.activitySid === activitySid) &&
        (!activityName || a?.friendlyName === activityName) &&
        (available === undefined || a?.available === available)
      );
    });
    return page(req.url, req.query, engine.origin, 'workers', all, (x) => json.worker(x));
  });
  app.get(`${W}/Workers/:Sid`, { schema: { params: ItemPath } }, async (req) =>
    json.worker(tr.worker(ws(req.params.WorkspaceSid), sidAt(req.params.Sid, 'worker'))),
  );
  app.post(`${W}/Workers/:Sid`, { schema: { params: ItemPath, body: UpdateWorker } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const worker = tr.worker(w, sidAt(req.params.Sid, 'worker'));
    const p = req.body;
    return json.worker(
      tr.updateWorker(w, worker, {
        friendlyName: newName(p.FriendlyName),
        attributes: jsonObject(p.Attributes, 'Attributes', undefined),
        activitySid: p.ActivitySid || undefined,
      }),
    );
  });

  // ---------------------------------------------------------------- task queues
  app.post(`${W}/TaskQueues`, { schema: { params: WorkspacePath, body: CreateQueue } }, async (req, reply) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    const q = tr.createQueue(w, { friendlyName: p.FriendlyName, targetWorkers: p.TargetWorkers || '1==1', maxReservedWorkers: p.MaxReservedWorkers ?? 1 });
    return reply.code(201).send(json.queue(q));
  });
  app.get(`${W}/TaskQueues`, { schema: { params: WorkspacePath, querystring: ByName } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const name = req.query.FriendlyName;
    return page(
      req.url,
      req.query,
      engine.origin,
      'task_queues',
      tr.list(tr.queues, w, (q) => !name || q.friendlyName === name),
      (q) => json.queue(q),
    );
  });
  app.get(`${W}/TaskQueues/:Sid`, { schema: { params: ItemPath } }, async (req) =>
    json.queue(tr.queue(ws(req.params.WorkspaceSid), sidAt(req.params.Sid, 'taskQueue'))),
  );

  // ---------------------------------------------------------------- workflows
  app.post(`${W}/Workflows`, { schema: { params: WorkspacePath, body: CreateWorkflow } }, async (req, reply) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    const wf = tr.createWorkflow(w, {
      friendlyName: p.FriendlyName,
      configuration: p.Configuration,
      taskReservationTimeout: p.TaskReservationTimeout ?? 120,
      assignmentCallbackUrl: p.AssignmentCallbackUrl ?? null,
    });
    return reply.code(201).send(json.workflow(wf));
  });
  app.get(`${W}/Workflows`, { schema: { params: WorkspacePath, querystring: ByName } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const name = req.query.FriendlyName;
    return page(
      req.url,
      req.query,
      engine.origin,
      'workflows',
      tr.list(tr.workflows, w, (x) => !name || x.friendlyName === name),
      (x) => json.workflow(x),
    );
  });
  app.get(`${W}/Workflows/:Sid`, { schema: { params: ItemPath } }, async (req) =>
    json.workflow(tr.workflow(ws(req.params.WorkspaceSid), sidAt(req.params.Sid, 'workflow'))),
  );

  // ---------------------------------------------------------------- tasks
  app.post(`${W}/Tasks`, { schema: { params: WorkspacePath, body: CreateTask } }, async (req, reply) => {
    const w = ws(req.params.WorkspaceSid);
    const p = req.body;
    const t = tr.createTask(w, {
      workflowSid: p.WorkflowSid || undefined,
      attributes: jsonObject(p.Attributes, 'Attributes', '{}'),
      priority: p.Priority ?? 0,
      timeout: p.Timeout ?? 86_400,
    });
    return reply.code(201).send(json.task(t));
  });
  app.get(`${W}/Tasks`, { schema: { params: WorkspacePath, querystring: ListTasks } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const { AssignmentStatus: statuses, WorkflowSid: workflowSid, TaskQueueSid: queueSid, EvaluateTaskAttributes: evaluate } = req.query;
    const expression = evaluate ? parseExpression(evaluate, 'EvaluateTaskAttributes') : null;
    const all = tr.listTasks(
      w,
      statuses,
      (t) =>
        (!workflowSid || t.workflowSid === workflowSid) &&
        (!queueSid || t.taskQueueSid === queueSid) &&
        (expression === null || matches(expression, JSON.parse(t.attributes))),
    );
    return page(req.url, req.query, engine.origin, 'tasks', all, (t) => json.task(t));
  });
  app.get(`${W}/Tasks/:Sid`, { schema: { params: ItemPath } }, async (req) => json.task(tr.task(ws(req.params.WorkspaceSid), sidAt(req.params.Sid, 'task'))));
  app.post(`${W}/Tasks/:Sid`, { schema: { params: ItemPath, body: UpdateTask } }, async (req) => {
    const w = ws(req.params.WorkspaceSid);
    const t = tr.task(w, sidAt(req.params.Sid, 'task'));
    const p = req.body;
    return json.task(
      tr.updateTask(w, t, {
        attributes: jsonObject(p.Attributes, 'Attributes', undefined),
        priority: p.Priority,
        assignmentStatus: p.AssignmentStatus,
        reason: p.Reason,
      }),
    );
  });

  // ---------------------------------------------------------------- reservations (under the task and under the worker)
  for (const under of ['task', 'worker'] as const) {
    const base = under === 'task' ? `${W}/Tasks/:TaskSid/Reservations` : `${W}/Workers/:WorkerSid/Reservations`;
    // The route's path always holds its owner's SID; '' (never reached) would be refused as a bad SID.
    const owner = (params: { TaskSid?: string | undefined; WorkerSid?: string | undefined }, w: Workspace): { taskSid?: string; workerSid?: string } =>
      under === 'task'
        ? { taskSid: tr.task(w, sidAt(params.TaskSid ?? '', 'task')).sid }
        : { workerSid: tr.worker(w, sidAt(params.WorkerSid ?? '', 'worker')).sid };
    const reservationOf = (params: { TaskSid?: string | undefined; WorkerSid?: string | undefined; Sid: string }, w: Workspace) => {
      const o = owner(params, w);
      const r = tr.reservation(w, sidAt(params.Sid, 'reservation'));
      if ((o.taskSid && r.taskSid !== o.taskSid) || (o.workerSid && r.workerSid !== o.workerSid)) throw TwilioHttpError.notFound(`Reservation ${r.sid}`);
      return r;
    };
    app.get(base, { schema: { params: ReservationsPath, querystring: ListReservations } }, async (req) => {
      const w = ws(req.params.WorkspaceSid);
      const o = owner(req.params, w);
      const statuses = req.query.ReservationStatus;
      const workerSid = under === 'task' ? req.query.WorkerSid : undefined;
      // The owner's own reservations (indexes in memory and in the store), not every reservation of the workspace.
      const own = o.taskSid ? tr.reservationsOfTask(o.taskSid) : tr.reservationsOfWorker(o.workerSid ?? '', statuses);
      const all = newestFirst(
        own.filter((r) => r.workspaceSid === w.sid && (!statuses || statuses.includes(r.status)) && (!workerSid || r.workerSid === workerSid)),
      );
      return page(req.url, req.query, engine.origin, 'reservations', all, (r) => json.reservation(r, under));
    });
    app.get(`${base}/:Sid`, { schema: { params: ReservationPath } }, async (req) => {
      const w = ws(req.params.WorkspaceSid);
      return json.reservation(reservationOf(req.params, w), under);
    });
    app.post(`${base}/:Sid`, { schema: { params: ReservationPath, body: UpdateReservation } }, async (req) => {
      const w = ws(req.params.WorkspaceSid);
      const r = reservationOf(req.params, w);
      const p = req.body;
      if (p.ReservationStatus === undefined && p.Instruction === undefined) throw TwilioHttpError.missing('ReservationStatus');
      const updated = tr.updateReservation(w, r, {
        status: p.ReservationStatus ?? 'accepted',
        instruction: p.Instruction === 'conference' ? 'conference' : undefined,
        from: p.From || undefined,
        to: p.To || undefined,
        endConferenceOnExit: p.EndConferenceOnExit,
        statusCallback: p.StatusCallback || undefined,
        workerActivitySid: p.WorkerActivitySid || undefined,
      });
      return json.reservation(updated, under);
    });
  }
}
