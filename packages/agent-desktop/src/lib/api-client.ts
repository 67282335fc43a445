import type {
  ErrorBody,
  LoginRequest,
  LoginResponse,
  MeResponse,
  RecordingDetail,
  RecordingsResponse,
  SimulatorCallRequest,
  SimulatorCallResponse,
  StreamTicketResponse,
  TaskAction,
  TaskRecordingState,
  TaskResponse,
  TasksResponse,
  UiConfig,
} from '@pause-recording/core';

/** An HTTP error from the control server, with its `{error: {code, message}}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type RecordingChange = 'pause' | 'resume' | 'toggle';

/**
 * What the desktop asks of the control server. Features take this interface (not `fetch`), so a
 * component test can hand in a small typed implementation and the app hands in the HTTP one.
 */
export interface DesktopApi {
  login(identity: string, password: string): Promise<LoginResponse>;
  me(): Promise<MeResponse>;
  config(): Promise<UiConfig>;
  tasks(): Promise<TasksResponse>;
  taskAction(taskSid: string, action: TaskAction): Promise<TaskResponse>;
  recordingState(taskSid: string): Promise<TaskRecordingState>;
  changeRecording(taskSid: string, change: RecordingChange): Promise<TaskRecordingState>;
  recordings(): Promise<RecordingsResponse>;
  recording(sid: string): Promise<RecordingDetail>;
  recordingMedia(sid: string): Promise<Blob>;
  simulateCall(agent?: string): Promise<SimulatorCallResponse>;
  /** Revokes the current token on the server (sign out). */
  logout(): Promise<void>;
  /**
   * A URL that opens the live-event stream once: EventSource cannot send headers, so it carries a
   * single-use ticket valid ~30 s (never the bearer token). Ask again for every (re)connection.
   */
  eventsUrl(): Promise<string>;
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && 'error' in v && typeof (v as ErrorBody).error?.message === 'string';
}

/** The real client: `fetch` against the server at `baseUrl` ('' = same origin) with the current bearer token. */
export function createHttpApi(baseUrl: string, getToken: () => string | null): DesktopApi {
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    const token = getToken();
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(baseUrl + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) {
      let parsed: unknown = null;
      try {
        parsed = await res.json();
      } catch {
        // Not JSON (a proxy's page, say): the status line is all we have.
      }
      if (isErrorBody(parsed)) throw new ApiError(res.status, parsed.error.code, parsed.error.message);
      throw new ApiError(res.status, 'HTTP_ERROR', `${method} ${path}: HTTP ${res.status}`);
    }
    return res;
  }
  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await send(method, path, body)).json()) as T;
  }
  const task = (sid: string): string => `/api/tasks/${encodeURIComponent(sid)}`;
  return {
    login: (identity, password) => json('POST', '/api/auth/login', { identity, password } satisfies LoginRequest),
    me: () => json('GET', '/api/me'),
    config: () => json('GET', '/api/config'),
    tasks: () => json('GET', '/api/tasks'),
    taskAction: (sid, action) => json('POST', `${task(sid)}/${action}`),
    recordingState: (sid) => json('GET', `${task(sid)}/recording`),
    changeRecording: (sid, change) => json('POST', `${task(sid)}/recording/${change}`),
    recordings: () => json('GET', '/api/recordings'),
    recording: (sid) => json('GET', `/api/recordings/${encodeURIComponent(sid)}`),
    recordingMedia: async (sid) => (await send('GET', `/api/recordings/${encodeURIComponent(sid)}/media`)).blob(),
    simulateCall: (agent) => json('POST', '/api/simulator/calls', (agent === undefined ? {} : { agent }) satisfies SimulatorCallRequest),
    logout: async () => {
      await send('POST', '/api/auth/logout');
    },
    eventsUrl: async () => {
      const { ticket } = await json<StreamTicketResponse>('POST', '/api/events/ticket');
      return `${baseUrl}/api/events?ticket=${encodeURIComponent(ticket)}`;
    },
  };
}
