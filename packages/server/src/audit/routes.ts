import { auditEventsToCsv, type AuditResponse } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { rejectIfProblems, requireSid, type FieldProblem } from '../http/errors.ts';
import { currentUser } from '../tasks/routes.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { AuditReader } from './audit-store.ts';

const QUERY_KEYS = ['taskSid', 'from', 'to', 'format'];

/** `GET /api/audit?taskSid=&from=&to=&format=json|csv`: supervisors see all; agents their own actions and tasks. */
export function auditRoutes(app: FastifyInstance, deps: { audit: AuditReader; tasks: TaskStore }): void {
  app.get('/api/audit', async (request, reply) => {
    const user = currentUser(request);
    const q = (request.query ?? {}) as Record<string, unknown>;
    const problems: FieldProblem[] = Object.keys(q)
      .filter((k) => !QUERY_KEYS.includes(k))
      .map((k) => ({ field: k, problem: 'unknown query parameter' }));
    const dateOf = (key: 'from' | 'to'): string | undefined => {
      const v = q[key];
      if (v === undefined || v === '') return undefined;
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
        problems.push({ field: key, problem: 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' });
        return undefined;
      }
      return v;
    };
    const from = dateOf('from');
    const to = dateOf('to');
    const format = q['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv') problems.push({ field: 'format', problem: 'must be json or csv' });
    rejectIfProblems(problems);
    const taskSid = q['taskSid'] === undefined || q['taskSid'] === '' ? undefined : requireSid('task', q['taskSid'], 'taskSid');

    const own =
      user.role === 'supervisor' ? {} : { actor: user.identity, orTaskSids: deps.tasks.list({ worker: user.identity }).map((t) => t.sid) };
    const events = deps.audit.query({
      ...own,
      ...(taskSid === undefined ? {} : { taskSid }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    });
    if (format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"')
        .send(auditEventsToCsv(events));
    }
    const body: AuditResponse = { events };
    return body;
  });
}
