import { AuditQuery, AuditResponse, DATE_PROBLEM, ErrorBody, auditEventsToCsv } from '@pause-recording/core';
import { Type } from 'typebox';
import { rejectIfProblems, type FieldProblem } from '../http/errors.ts';
import type { Api } from '../http/validation.ts';
import { currentUser } from '../tasks/routes.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { PauseLedger } from '../ledger/ledger.ts';

const csv = Type.String({ description: 'With `format=csv`: text/csv, one row per event (attachment audit.csv).' });

/** `GET /api/audit?taskSid=&from=&to=&format=json|csv`: supervisors see all; agents their own actions and tasks. */
export function auditRoutes(app: Api, deps: { audit: Pick<PauseLedger, 'audit'>; tasks: TaskStore }): void {
  app.get(
    '/api/audit',
    {
      schema: {
        summary: "The audit trail: a supervisor's is everything; an agent's their own actions and tasks",
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: Type.Union([AuditResponse, csv]), '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const q = request.query;
      const problems: FieldProblem[] = [];
      // The schema says "a string"; whether it is a date is a question for Date.parse.
      const dateOf = (key: 'from' | 'to'): string | undefined => {
        const v = q[key];
        if (v === undefined || v === '') return undefined;
        if (Number.isNaN(Date.parse(v))) problems.push({ field: key, problem: DATE_PROBLEM });
        return v;
      };
      const from = dateOf('from');
      const to = dateOf('to');
      rejectIfProblems(problems);
      const taskSid = q.taskSid === undefined || q.taskSid === '' ? undefined : q.taskSid;

      const own = user.role === 'supervisor' ? {} : { actor: user.identity, orTaskSids: deps.tasks.list({ worker: user.identity }).map((t) => t.sid) };
      const events = await deps.audit.audit({
        ...own,
        ...(taskSid === undefined ? {} : { taskSid }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
      if (q.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit.csv"')
          .send(auditEventsToCsv(events));
      }
      return { events };
    },
  );
}
