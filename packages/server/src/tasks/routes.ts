import { AppError, ErrorBody, HoldRequest, NoFields, TaskParams, TaskResponse, TasksResponse, TransferRequest, type TaskView } from '@pause-recording/core';
import type { Api } from '../http/validation.ts';
import type { ContactCenter } from './contact-center.ts';
import { currentUser, type TaskAccess } from './task-access.ts';
import { taskView } from './task-store.ts';

export { currentUser } from './task-access.ts';

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

export function taskRoutes(app: Api, deps: { access: TaskAccess; contactCenter: ContactCenter | null }): void {
  const contactCenter = (): ContactCenter => {
    if (deps.contactCenter === null) throw new AppError('NOT_FOUND', 'the local contact center runs in embedded mode only');
    return deps.contactCenter;
  };
  const answer = (t: TaskView): TaskResponse => ({ task: t });
  const tasks = deps.access.tasks;
  // Acting on the call (hold, transfer, hang up, complete): TaskRouter decides (task-access.ts).
  const mayAct = deps.access.actCheck();
  // Accept and reject: the offer is the caller's; the contact center checks TaskRouter's pending reservation.
  const mayAnswer = async (request: { readonly user: Parameters<typeof currentUser>[0]['user']; readonly params: { readonly taskSid: string } }) => {
    await deps.access.view(request, request.params.taskSid);
  };

  app.get(
    '/api/tasks',
    { schema: { summary: "The caller's tasks; a supervisor gets every task", tags: ['tasks'], response: { 200: TasksResponse, ...errors } } },
    async (request) => {
      const user = currentUser(request);
      const list = user.role === 'supervisor' ? tasks.list() : tasks.list({ worker: user.identity });
      return { tasks: list.map(taskView) };
    },
  );

  app.get(
    '/api/tasks/:taskSid',
    { schema: { summary: 'One task', tags: ['tasks'], params: TaskParams, response: { 200: TaskResponse, ...errors } } },
    async (request) => answer(taskView((await deps.access.view(request, request.params.taskSid)).task)),
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
      const { task, user } = await deps.access.act(request, request.params.taskSid);
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
      const { task, user } = await deps.access.act(request, request.params.taskSid);
      return answer(taskView(await contactCenter().transfer(task.sid, user, request.body.to)));
    },
  );

  for (const action of ['accept', 'reject', 'hangup', 'complete'] as const) {
    app.post(
      `/api/tasks/:taskSid/${action}`,
      {
        preValidation: action === 'accept' || action === 'reject' ? mayAnswer : mayAct,
        schema: {
          summary: `${action[0]?.toUpperCase() ?? ''}${action.slice(1)} the task`,
          tags: ['tasks'],
          params: TaskParams,
          body: NoFields,
          response: { 200: TaskResponse, ...errors },
        },
      },
      async (request) => {
        const { task, user } =
          action === 'accept' || action === 'reject'
            ? await deps.access.view(request, request.params.taskSid)
            : await deps.access.act(request, request.params.taskSid);
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
