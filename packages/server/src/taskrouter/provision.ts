import type { TaskRouterClient } from './taskrouter-client.ts';

export const WORKSPACE_NAME = 'pause-recording';
export const EVERYONE_QUEUE = 'Everyone';
/** The task attribute that routes a call to one agent (the simulator's `agent` option). */
export const PREFERRED_WORKER = 'preferred_worker';

export interface Routing {
  readonly workspaceSid: string;
  readonly workflowSid: string;
}

/**
 * Embedded mode: the engine's TaskRouter set up as a small Flex account would be — one workspace,
 * an Available activity, a queue for everyone, a queue per agent (`preferred_worker`), a FIFO
 * workflow, and one worker per agent (`contact_uri` = `client:<identity>`); the workspace's
 * `EventCallbackUrl` is this server's event route when given. Idempotent: what
 * exists (the engine keeps its state across restarts) is found by name and reused.
 */
export async function provisionTaskRouter(tr: TaskRouterClient, agents: readonly string[], eventCallbackUrl: string | null = null): Promise<Routing> {
  const root = tr.client.taskrouter.v1.workspaces;
  const ws =
    (await root.list({ friendlyName: WORKSPACE_NAME, limit: 1 }))[0] ??
    (await root.create({ friendlyName: WORKSPACE_NAME, ...(eventCallbackUrl === null ? {} : { eventCallbackUrl }) }));
  tr.workspaceSid = ws.sid;
  // The workspace's events (task, reservation, worker) come to this server: they drop cached grants.
  if (eventCallbackUrl !== null && ws.eventCallbackUrl !== eventCallbackUrl) await tr.setWorkspaceEventCallbackUrl(eventCallbackUrl);
  const w = tr.ws();

  const available =
    (await w.activities.list({ friendlyName: 'Available', limit: 1 }))[0] ?? (await w.activities.create({ friendlyName: 'Available', available: true }));

  const queue = async (name: string, targetWorkers: string): Promise<string> =>
    ((await w.taskQueues.list({ friendlyName: name, limit: 1 }))[0] ?? (await w.taskQueues.create({ friendlyName: name, targetWorkers }))).sid;
  const everyone = await queue(EVERYONE_QUEUE, '1==1');
  const filters = [];
  for (const a of agents) {
    const q = await queue(`Agent ${a}`, `contact_uri == 'client:${a}'`);
    filters.push({ filter_friendly_name: `to ${a}`, expression: `${PREFERRED_WORKER} == '${a}'`, targets: [{ queue: q }] });
  }
  const configuration = JSON.stringify({ task_routing: { filters, default_filter: { queue: everyone } } });
  // The workflow names every agent's queue: a directory that changed gets a new workflow.
  const workflowName = `Inbound calls (${agents.join(', ')})`;
  const workflow =
    (await w.workflows.list({ friendlyName: workflowName, limit: 1 }))[0] ??
    (await w.workflows.create({ friendlyName: workflowName, configuration, taskReservationTimeout: 86_400 }));

  for (const a of agents) {
    if ((await tr.workerOf(a)) !== null) continue;
    await w.workers.create({ friendlyName: a, attributes: JSON.stringify({ contact_uri: `client:${a}`, roles: ['agent'] }), activitySid: available.sid });
  }
  return { workspaceSid: ws.sid, workflowSid: workflow.sid };
}
