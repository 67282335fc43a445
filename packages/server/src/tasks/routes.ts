import { AppError, type TaskResponse, type TasksResponse } from '@pause-recording/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../auth/user-directory.ts';
import { bodyObject, requireSid } from '../http/errors.ts';
import type { ContactCenter } from './contact-center.ts';
import { taskView, type TaskRecord, type TaskStore } from './task-store.ts';

export function currentUser(request: FastifyRequest): User {
  if (request.user === null) throw new AppError('UNAUTHENTICATED', 'authorization: not logged in', { field: 'authorization' });
  return request.user;
}

/** The task named by `:taskSid`, if the caller may see it: its agent, or any supervisor. 400 / 404 / 403 otherwise. */
export function taskForCaller(request: FastifyRequest, tasks: TaskStore): { task: TaskRecord; user: User } {
  const user = currentUser(request);
  const sid = requireSid('task', (request.params as Record<string, unknown>)['taskSid'], 'taskSid');
  const task = tasks.get(sid);
  if (task === null) throw new AppError('NOT_FOUND', `no task ${sid}`, { field: 'taskSid' });
  if (user.role !== 'supervisor' && task.worker !== user.identity) {
    throw new AppError('FORBIDDEN', `task ${sid} is not assigned to ${user.identity}`, { field: 'taskSid' });
  }
  return { task, user };
}

export function taskRoutes(app: FastifyInstance, deps: { tasks: TaskStore; contactCenter: ContactCenter | null }): void {
  app.get('/api/tasks', async (request): Promise<TasksResponse> => {
    const user = currentUser(request);
    const list = user.role === 'supervisor' ? deps.tasks.list() : deps.tasks.list({ worker: user.identity });
    return { tasks: list.map(taskView) };
  });

  app.get('/api/tasks/:taskSid', async (request): Promise<TaskResponse> => {
    return { task: taskView(taskForCaller(request, deps.tasks).task) };
  });

  app.post('/api/tasks/:taskSid/hold', async (request): Promise<TaskResponse> => {
    const { task, user } = taskForCaller(request, deps.tasks);
    const body = bodyObject(request.body, ['hold']);
    if (typeof body['hold'] !== 'boolean') {
      throw new AppError('INVALID_PARAMETER', 'hold: is required, true (put the customer on hold) or false (take them off)', { field: 'hold' });
    }
    const cc = deps.contactCenter;
    if (cc === null) throw new AppError('NOT_FOUND', 'the local contact center runs in embedded mode only');
    return { task: taskView(await cc.hold(task.sid, user, body['hold'])) };
  });

  app.post('/api/tasks/:taskSid/transfer', async (request): Promise<TaskResponse> => {
    const { task, user } = taskForCaller(request, deps.tasks);
    const body = bodyObject(request.body, ['to']);
    if (typeof body['to'] !== 'string' || body['to'] === '') {
      throw new AppError('INVALID_PARAMETER', 'to: is required, the identity of the agent who takes the call', { field: 'to' });
    }
    const cc = deps.contactCenter;
    if (cc === null) throw new AppError('NOT_FOUND', 'the local contact center runs in embedded mode only');
    return { task: taskView(await cc.transfer(task.sid, user, body['to'])) };
  });

  for (const action of ['accept', 'reject', 'hangup', 'complete'] as const) {
    app.post(`/api/tasks/:taskSid/${action}`, async (request): Promise<TaskResponse> => {
      const { task, user } = taskForCaller(request, deps.tasks);
      bodyObject(request.body, []);
      const cc = deps.contactCenter;
      if (cc === null) throw new AppError('NOT_FOUND', 'the local contact center runs in embedded mode only');
      const t =
        action === 'accept'
          ? await cc.accept(task.sid, user)
          : action === 'reject'
            ? await cc.reject(task.sid, user)
            : action === 'hangup'
              ? await cc.hangup(task.sid, user)
              : await cc.complete(task.sid, user);
      return { task: taskView(t) };
    });
  }
}
