import { AppError, ErrorBody, PauseRequest, TaskParams, TaskRecordingState, type AppConfig } from '@pause-recording/core';
import type { Api } from '../http/validation.ts';
import type { TaskAccess } from '../tasks/task-access.ts';
import type { RecordingService } from './recording-service.ts';

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

/** Task-level recording state, pause and resume (docs/architecture.md, One pause, end to end). */
export function recordingRoutes(app: Api, deps: { access: TaskAccess; service: RecordingService; app: AppConfig }): void {
  app.get(
    '/api/tasks/:taskSid/recording',
    {
      schema: {
        summary: "The task's recordings and pause, fresh from the provider",
        tags: ['recording'],
        params: TaskParams,
        response: { 200: TaskRecordingState, ...errors },
      },
    },
    async (request) => {
      const { task } = await deps.access.view(request, request.params.taskSid);
      return deps.service.getState(task);
    },
  );

  const summaries = { pause: 'Pause every recording of the task', resume: "Resume the task's recordings", toggle: 'Pause if recording, else resume' };
  for (const action of ['pause', 'resume', 'toggle'] as const) {
    app.post(
      `/api/tasks/:taskSid/recording/${action}`,
      {
        // TaskRouter decides who may pause this call (task-access.ts, taskrouter/call-authority.ts).
        preValidation: deps.access.actCheck(),
        schema: { summary: summaries[action], tags: ['recording'], params: TaskParams, body: PauseRequest, response: { 200: TaskRecordingState, ...errors } },
      },
      async (request) => {
        const { task, user } = await deps.access.act(request, request.params.taskSid);
        const reason = request.body.reason?.trim();
        if (!deps.app.pauseRecording.enabled) {
          throw new AppError('CONFLICT', 'pause_recording is disabled in the configuration', { field: 'features.pause_recording.enabled' });
        }
        if (task.status !== 'assigned' && task.status !== 'wrapping') {
          throw new AppError('CONFLICT', `task ${task.sid} is ${task.status}; only a live task's recording can change`, { field: 'taskSid' });
        }
        const actor = { identity: user.identity, role: user.role };
        // Toggle is decided by the server under the task's lock, never from a browser's flag.
        if (action === 'toggle') return deps.service.toggle(task, actor, reason);
        return action === 'pause' ? deps.service.pause(task, actor, reason) : deps.service.resume(task, actor, false, reason);
      },
    );
  }
}
