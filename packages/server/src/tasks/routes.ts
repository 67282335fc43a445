import { AppError, ErrorBody, HoldRequest, NoFields, TaskParams, TaskResponse, TasksResponse, TransferRequest, type TaskView } from '@pause-recording/core';
import type { User } from '../auth/user-directory.ts';
import { requireSid } from '../http/errors.ts';
import type { Api } from '../http/validation.ts';
import type { ContactCenter } from './contact-center.ts';
import { taskView, type TaskRecord, type TaskStore } from './task-store.ts';

/** The authenticated caller (set by the server's authentication hook on every non-public `/api` route). */
export function currentUser(request: { readonly user: User | null }): User {
  if (request.user === null) throw new AppError('UNAUTHENTICATED', 'authorization: not logged in', { field: 'authorization' });
  return request.user;
}

/** The task `taskSid`, if the caller may see it: its agent, or any supervisor. 400 / 404 / 403 otherwise. */
export function taskForCaller(request: { readonly user: User | null }, taskSid: string, tasks: TaskStore): { task: TaskRecord; user: User } {
  const user = currentUser(request);
  // The route schema checked the shape already; checked again so a caller outside a route cannot skip it.
  const sid = requireSid('task', taskSid, 'taskSid');
  const task = tasks.get(sid);
  if (task === null) throw new AppError('NOT_FOUND', `no task ${sid}`, { field: 'taskSid' });
  if (user.role !== 'supervisor' && task.worker !== user.identity) {
    throw new AppError('FORBIDDEN', `task ${sid} is not assigned to ${user.identity}`, { field: 'taskSid' });
  }
  return { task, user };
}

/**
 * A `preValidation` hook: the caller may act on `:taskSid` (400 / 404 / 403 as taskForCaller), checked
 * before the body is validated, so a body is judged only for a task the caller may touch.
 */
export function taskAccessCheck(tasks: TaskStore) {
  return async (request: { readonly user: User | null; readonly params: { readonly taskSid: string } }): Promise<void> => {
    taskForCaller(request, request.params.taskSid, tasks);
  };
}

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

export function taskRoutes(app: Api, deps: { tasks: TaskStore; contactCenter: ContactCenter | null }): void {
  const contactCenter = (): ContactCenter => {
    if (deps.contactCenter === null) throw new AppError('NOT_FOUND', 'the local contact center runs in embedded mode only');
    return deps.contactCenter;
  };
  const answer = (t: TaskView): TaskResponse => ({ task: t });
  const mayAct = taskAccessCheck(deps.tasks);

  app.get(
    '/api/tasks',
    { schema: { summary: "The caller's tasks; a supervisor gets every task", tags: ['tasks'], response: { 200: TasksResponse, ...errors } } },
    async (request) => {
      const user = currentUser(request);
      const list = user.role === 'supervisor' ? deps.tasks.list() : deps.tasks.list({ worker: user.identity });
      return { tasks: list.map(taskView) };
    },
  );

  app.get(
    '/api/tasks/:taskSid',
    { schema: { summary: 'One task', tags: ['tasks'], params: TaskParams, response: { 200: TaskResponse, ...errors } } },
    async (request) => answer(taskView(taskForCaller(request, request.params.taskSid, deps.tasks).task)),
  );

  app.post(
    '/api/tasks/:taskSid/hold',
    {
      preValidation: mayAct,
      schema: {
        summary: 'Put the customer on hold or take them off',
        tags: ['tasks'],
        params: TaskParams,
        body: HoldRequest,
        response: { 200: TaskResponse, ...errors },
      },
    },
    async (request) => {
      const { task, user } = taskForCaller(request, request.params.taskSid, deps.tasks);
      return answer(taskView(await contactCenter().hold(task.sid, user, request.body.hold)));
    },
  );

  app.post(
    '/api/tasks/:taskSid/transfer',
    {
      preValidation: mayAct,
      schema: {
        summary: 'Hand the call to another agent',
        tags: ['tasks'],
        params: TaskParams,
        body: TransferRequest,
        response: { 200: TaskResponse, ...errors },
      },
    },
    async (request) => {
      const { task, user } = taskForCaller(request, request.params.taskSid, deps.tasks);
      return answer(taskView(await contactCenter().transfer(task.sid, user, request.body.to)));
    },
  );

  for (const action of ['accept', 'reject', 'hangup', 'complete'] as const) {
    app.post(
      `/api/tasks/:taskSid/${action}`,
      {
        preValidation: mayAct,
        schema: {
          summary: `${action[0]?.toUpperCase() ?? ''}${action.slice(1)} the task`,
          tags: ['tasks'],
          params: TaskParams,
          body: NoFields,
          response: { 200: TaskResponse, ...errors },
        },
      },
      async (request) => {
        const { task, user } = taskForCaller(request, request.params.taskSid, deps.tasks);
        const cc = contactCenter();
        const t =
          action === 'accept'
            ? await cc.accept(task.sid, user)
            : action === 'reject'
              ? await cc.reject(task.sid, user)
              : action === 'hangup'
                ? await cc.hangup(task.sid, user)
                : await cc.complete(task.sid, user);
        return answer(taskView(t));
      },
    );
  }
}
