import { AppError, ErrorBody, SimulatorCallRequest, SimulatorCallResponse } from '@pause-recording/core';
import type { UserDirectory } from '../auth/user-directory.ts';
import { rejectIfProblems } from '../http/errors.ts';
import { schemaProblems, type Api } from '../http/validation.ts';
import type { Simulator } from './simulator.ts';

/** `POST /api/simulator/calls {from?, durationSeconds?, agent?}`, embedded mode only. */
export function simulatorRoutes(app: Api, deps: { simulator: Simulator | null; users: UserDirectory }): void {
  app.post(
    '/api/simulator/calls',
    {
      // The agent is checked against the user directory too, and named in the same 400 as the schema's problems.
      attachValidation: true,
      schema: {
        summary: 'Place a simulated customer call (embedded mode)',
        tags: ['simulator'],
        body: SimulatorCallRequest,
        response: { 201: SimulatorCallResponse, '4xx': ErrorBody, '5xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const problems = schemaProblems(request.validationError).filter((p) => p.field !== 'agent');
      // Read as it came (the schema's verdict is in `problems`): who is an agent is the directory's to say.
      const agent: unknown = request.body.agent;
      if (agent !== undefined && (typeof agent !== 'string' || deps.users.get(agent)?.role !== 'agent')) {
        problems.push({ field: 'agent', problem: `must be the identity of an agent (${deps.users.agents().join(', ')})` });
      }
      rejectIfProblems(problems);
      const { from, durationSeconds } = request.body;
      if (deps.simulator === null) throw new AppError('NOT_FOUND', 'the call simulator exists in embedded mode only');
      const result = await deps.simulator.placeCall({
        ...(from === undefined ? {} : { from }),
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
        ...(request.body.agent === undefined ? {} : { agent: request.body.agent }),
      });
      return reply.status(201).send(result);
    },
  );
}
