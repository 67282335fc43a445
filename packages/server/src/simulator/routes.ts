import { AppError, type SimulatorCallResponse } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import type { UserDirectory } from '../auth/user-directory.ts';
import { bodyObject, rejectIfProblems, type FieldProblem } from '../http/errors.ts';
import type { Simulator } from './simulator.ts';

/** `POST /api/simulator/calls {from?, durationSeconds?, agent?}`, embedded mode only. */
export function simulatorRoutes(app: FastifyInstance, deps: { simulator: Simulator | null; users: UserDirectory }): void {
  app.post('/api/simulator/calls', async (request, reply): Promise<SimulatorCallResponse> => {
    const body = bodyObject(request.body, ['from', 'durationSeconds', 'agent']);
    const problems: FieldProblem[] = [];
    const { from, durationSeconds, agent } = body;
    if (from !== undefined && (typeof from !== 'string' || !/^\+[1-9]\d{6,14}$/.test(from))) {
      problems.push({ field: 'from', problem: 'must be an E.164 number like +15551234567' });
    }
    if (durationSeconds !== undefined && (typeof durationSeconds !== 'number' || !Number.isInteger(durationSeconds) || durationSeconds < 1 || durationSeconds > 3600)) {
      problems.push({ field: 'durationSeconds', problem: 'must be a whole number from 1 to 3600' });
    }
    if (agent !== undefined && (typeof agent !== 'string' || deps.users.get(agent)?.role !== 'agent')) {
      problems.push({ field: 'agent', problem: `must be the identity of an agent (${deps.users.agents().join(', ')})` });
    }
    rejectIfProblems(problems);
    if (deps.simulator === null) throw new AppError('NOT_FOUND', 'the call simulator exists in embedded mode only');
    const result = await deps.simulator.placeCall({
      ...(from === undefined ? {} : { from: from as string }),
      ...(durationSeconds === undefined ? {} : { durationSeconds: durationSeconds as number }),
      ...(agent === undefined ? {} : { agent: agent as string }),
    });
    reply.status(201);
    return result;
  });
}
