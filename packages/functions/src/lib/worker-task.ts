import type { FunctionsEnv } from './config.ts';
import type { TokenResult } from './token.ts';
import type { twilioClient } from './twilio.ts';

type Client = ReturnType<typeof twilioClient>;
export type Owner = { readonly kind: 'call'; readonly callSid: string } | { readonly kind: 'conference'; readonly conferenceSid: string };

/** Roles Flex gives supervisors and admins: they may act on any call, as in the server. */
const SUPERVISOR_ROLES = new Set(['supervisor', 'admin']);

/** Whether a task's attributes (as Flex keeps them: `call_sid`, `conference.sid`, `conference.participants`) name this call or conference. */
export function taskNames(attributes: unknown, owner: Owner): boolean {
  if (typeof attributes !== 'object' || attributes === null) return false;
  const a = attributes as Record<string, unknown>;
  const conf = typeof a['conference'] === 'object' && a['conference'] !== null ? (a['conference'] as Record<string, unknown>) : {};
  if (owner.kind === 'conference') return conf['sid'] === owner.conferenceSid;
  const parts = typeof conf['participants'] === 'object' && conf['participants'] !== null ? Object.values(conf['participants']) : [];
  return a['call_sid'] === owner.callSid || parts.includes(owner.callSid);
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly message: string };

async function workspaceSid(env: FunctionsEnv, client: Client): Promise<string> {
  if (env.TWILIO_WORKSPACE_SID) return env.TWILIO_WORKSPACE_SID;
  const all = await client.taskrouter.v1.workspaces.list({ limit: 2 });
  if (all.length !== 1 || all[0] === undefined) {
    throw new Error(`TWILIO_WORKSPACE_SID: not set and the account has ${all.length === 0 ? 'no' : 'more than one'} TaskRouter workspace; set it`);
  }
  return all[0].sid;
}

/**
 * The token's worker must hold an accepted or wrapping reservation on a task whose attributes
 * name this call or conference (supervisors and admins may act on any). Fails closed: a token
 * without a worker, or a TaskRouter that cannot be read, is refused.
 */
export async function checkWorkerTask(env: FunctionsEnv, client: Client, token: TokenResult, owner: Owner): Promise<Verdict> {
  if (token.roles.some((r) => SUPERVISOR_ROLES.has(r))) return { ok: true };
  const field = owner.kind === 'call' ? 'callSid' : 'conferenceSid';
  const sid = owner.kind === 'call' ? owner.callSid : owner.conferenceSid;
  const worker = token.worker_sid;
  if (worker === null || worker === '')
    return { ok: false, status: 403, message: `Token: ${token.identity} is not a TaskRouter worker, so ${field} ${sid} cannot be tied to their task` };
  try {
    const ws = client.taskrouter.v1.workspaces(await workspaceSid(env, client));
    for (const reservationStatus of ['accepted', 'wrapping'] as const) {
      const reservations = await ws.workers(worker).reservations.list({ reservationStatus, limit: 50 });
      for (const r of reservations) {
        const task = await ws.tasks(r.taskSid).fetch();
        if (taskNames(parse(task.attributes), owner)) return { ok: true };
      }
    }
  } catch (e) {
    const status = typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : 500;
    return {
      ok: false,
      status: status >= 500 ? 503 : 403,
      message: `the worker's tasks could not be read from TaskRouter: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  return { ok: false, status: 403, message: `${field}: ${sid} is not on a task that worker ${worker} (${token.identity}) has accepted` };
}
