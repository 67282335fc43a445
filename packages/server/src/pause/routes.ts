import { AppError, type AppConfig, type TaskRecordingState } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { bodyObject } from '../http/errors.ts';
import { taskForCaller } from '../tasks/routes.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { RecordingService } from './recording-service.ts';

function reasonOf(body: unknown): string | undefined {
  const o = bodyObject(body, ['reason']);
  const r = o['reason'];
  if (r === undefined) return undefined;
  if (typeof r !== 'string' || r.trim() === '' || r.length > 200) {
    throw new AppError('INVALID_PARAMETER', 'reason: must be a non-empty string of at most 200 characters', { field: 'reason' });
  }
  return r.trim();
}

/** Task-level recording state, pause and resume (docs/architecture.md, One pause, end to end). */
export function recordingRoutes(app: FastifyInstance, deps: { tasks: TaskStore; service: RecordingService; app: AppConfig }): void {
  app.get('/api/tasks/:taskSid/recording', async (request): Promise<TaskRecordingState> => {
    const { task } = taskForCaller(request, deps.tasks);
    return deps.service.getState(task);
  });

  for (const action of ['pause', 'resume', 'toggle'] as const) {
    app.post(`/api/tasks/:taskSid/recording/${action}`, async (request): Promise<TaskRecordingState> => {
      const { task, user } = taskForCaller(request, deps.tasks);
      const reason = reasonOf(request.body);
      if (!deps.app.pauseRecording.enabled) {
        throw new AppError('CONFLICT', 'pause_recording is disabled in the configuration', { field: 'features.pause_recording.enabled' });
      }
      if (task.status !== 'assigned' && task.status !== 'wrapping') {
        throw new AppError('CONFLICT', `task ${task.sid} is ${task.status}; only a live task's recording can change`, { field: 'taskSid' });
      }
      const actor = { identity: user.identity, role: user.role };
      let pausing = action === 'pause';
      if (action === 'toggle') {
        // Decided from the provider's state now, never from a cached browser flag.
        const state = await deps.service.getState(task);
        pausing = state.status === 'recording' || state.status === 'partially-paused';
      }
      return pausing ? deps.service.pause(task, actor, reason) : deps.service.resume(task, actor, false, reason);
    });
  }
}
