import type { TaskRecordingState, TaskView, UiConfig } from '@pause-recording/core';

export const TASK_SID = 'WT0123456789abcdef0123456789abcdef';

export function task(over: Partial<TaskView> = {}, attrs: Partial<TaskView['attributes']> = {}): TaskView {
  return {
    sid: TASK_SID,
    status: 'assigned',
    worker: 'alice',
    queue: 'everyone',
    createdAt: '2026-11-26T15:00:00.000Z',
    updatedAt: '2026-11-26T15:00:05.000Z',
    acceptedAt: '2026-11-26T15:00:04.000Z',
    ...over,
    attributes: {
      call_sid: 'CA0123456789abcdef0123456789abcdef',
      from: '+15550100111',
      to: '+15550100000',
      direction: 'inbound',
      client_call: false,
      conference: { sid: 'CF0123456789abcdef0123456789abcdef', friendly_name: 'task', participants: { customer: 'CA1', worker: 'CA2' } },
      ...attrs,
    },
  };
}

export function recState(over: Partial<TaskRecordingState> = {}): TaskRecordingState {
  return {
    taskSid: TASK_SID,
    status: 'recording',
    recordings: [],
    pausedAt: null,
    pausedBy: null,
    pauseBehavior: null,
    reminderAt: null,
    autoResumeAt: null,
    failures: [],
    capturing: [],
    ...over,
  };
}

export function uiConfig(pause: Partial<UiConfig['pauseRecording']> = {}): UiConfig {
  return {
    pauseRecording: {
      enabled: true,
      includeSilence: false,
      indicatorBanner: true,
      indicatorPermanent: true,
      reminderSeconds: 30,
      maxPauseSeconds: 0,
      ...pause,
    },
    dualChannelRecording: { enabled: true, channel: 'worker' },
    callRecordingEnabled: false,
    mode: 'embedded',
  };
}
