import { AppError, type TaskStatus } from '@pause-recording/core';
import type { User } from '../auth/user-directory.ts';
import type { TaskRecord } from './task-store.ts';

// What the contact center checks before acting on a task: who may act, and in which status.

export function requireHolder(task: TaskRecord, user: User, action: string): void {
  if (user.role === 'supervisor') return;
  if (task.worker !== user.identity) {
    throw new AppError('FORBIDDEN', `task ${task.sid} is not assigned to ${user.identity}; only its agent or a supervisor may ${action} it`, {
      field: 'taskSid',
    });
  }
}

export function requireOfferedTo(task: TaskRecord, user: User): void {
  if (task.worker !== user.identity) {
    throw new AppError('FORBIDDEN', `task ${task.sid} is not offered to ${user.identity}`, { field: 'taskSid' });
  }
}

export function requireStatus(task: TaskRecord, allowed: readonly TaskStatus[], action: string): void {
  if (!allowed.includes(task.status)) {
    throw new AppError('CONFLICT', `cannot ${action} task ${task.sid}: it is ${task.status} (must be ${allowed.join(' or ')})`, {
      field: 'taskSid',
      details: { status: task.status },
    });
  }
}
