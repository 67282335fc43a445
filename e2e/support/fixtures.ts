import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { LoginResponse, SimulatorCallResponse, TasksResponse } from '@pause-recording/core';

/** Talks to the running system directly, for setup and cleanup that are not what a spec is about. */
export class SystemApi {
  constructor(
    readonly url: string,
    readonly engineUrl: string,
    /** `AccountSid:AuthToken`: the engine's dev routes take the same Basic auth as its Twilio API. */
    private readonly engineAuth: string,
  ) {}

  private engineHeaders(): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(this.engineAuth).toString('base64')}` };
  }

  async login(identity: string): Promise<string> {
    const res = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity, password: 'demo' }),
    });
    if (!res.ok) throw new Error(`login ${identity}: ${res.status}`);
    return ((await res.json()) as LoginResponse).token;
  }

  /** A simulated customer calls and is offered to `agent`. */
  async placeCall(agent: string): Promise<SimulatorCallResponse> {
    const token = await this.login(agent);
    const res = await fetch(`${this.url}/api/simulator/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ agent }),
    });
    if (res.status !== 201) throw new Error(`simulated call: ${res.status} ${await res.text()}`);
    return (await res.json()) as SimulatorCallResponse;
  }

  /** A whole call for `agent` through the API (placed, accepted, hung up): leaves a finished recording. */
  async recordedCall(agent: string): Promise<string> {
    const token = await this.login(agent);
    const { taskSid } = await this.placeCall(agent);
    if (taskSid === null) throw new Error('the simulated call got no task');
    for (const action of ['accept', 'hangup', 'complete']) {
      const res = await fetch(`${this.url}/api/tasks/${taskSid}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`${action}: ${res.status} ${await res.text()}`);
    }
    return taskSid;
  }

  /** The server's recording status of a task, as `agent` may read it. */
  async recordingStatus(agent: string, taskSid: string): Promise<string> {
    const token = await this.login(agent);
    const res = await fetch(`${this.url}/api/tasks/${taskSid}/recording`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`recording state: ${res.status}`);
    return ((await res.json()) as { status: string }).status;
  }

  /** Hangs up and completes whatever `agent` still has open, so the next spec finds them free. */
  async finishTasks(agent: string): Promise<void> {
    const token = await this.login(agent);
    const auth = { authorization: `Bearer ${token}` };
    const { tasks } = (await (await fetch(`${this.url}/api/tasks`, { headers: auth })).json()) as TasksResponse;
    for (const t of tasks) {
      const post = (a: string) => fetch(`${this.url}/api/tasks/${t.sid}/${a}`, { method: 'POST', headers: auth });
      if (t.status === 'reserved') await post('reject');
      if (t.status === 'assigned') await post('hangup');
      if (t.status === 'assigned' || t.status === 'wrapping') await post('complete');
    }
  }

  /** Makes the engine fail every update of a call-leg recording (the dual-channel one) until cleared. */
  async failCallRecordingUpdates(): Promise<void> {
    const res = await fetch(`${this.engineUrl}/dev/faults`, {
      method: 'POST',
      headers: { ...this.engineHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'status', status: '500', method: 'POST', pathGlob: '*/Calls/CA*/Recordings/*', times: '0' }).toString(),
    });
    if (res.status !== 201) throw new Error(`fault injection: ${res.status} ${await res.text()}`);
  }

  async clearFaults(): Promise<void> {
    const res = await fetch(`${this.engineUrl}/dev/faults`, { method: 'DELETE', headers: this.engineHeaders() });
    if (!res.ok) throw new Error(`clearing faults: ${res.status}`);
  }
}

export const test = base.extend<{ system: SystemApi }>({
  // Playwright reads a fixture's dependencies from the destructuring pattern: an empty one means none.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(process.env['E2E_BASE_URL']);
  },
  // eslint-disable-next-line no-empty-pattern
  system: async ({}, use) => {
    const url = process.env['E2E_BASE_URL'];
    const engineUrl = process.env['E2E_ENGINE_URL'];
    const engineAuth = process.env['E2E_ENGINE_AUTH'];
    if (url === undefined || engineUrl === undefined || engineAuth === undefined) throw new Error('global-setup did not start the system');
    await use(new SystemApi(url, engineUrl, engineAuth));
  },
});

export { expect };

export async function signIn(page: Page, identity: string, url = '/'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Agent').fill(identity);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(`Signed in as ${identity}`)).toBeVisible();
}

/** Places a call to `identity`, accepts the offer in the UI and waits until the server says it records. */
export async function acceptCall(page: Page, system: SystemApi, identity: string): Promise<void> {
  const call = await system.placeCall(identity);
  const offer = page.getByRole('group', { name: `Incoming call from ${call.from}` });
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expectRecordingAfterAccept(page);
}

/** After Accept: the call records, or the spec fails naming the error banner the desktop showed. */
export async function expectRecordingAfterAccept(page: Page): Promise<void> {
  const status = page.getByLabel('Recording status');
  // Accept waits for the conference and the recordings to start: allow for a loaded machine.
  await expect(status.or(page.getByRole('alert'))).toBeVisible({ timeout: 25_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(status).toHaveText('Recording');
}

/** Saves a screenshot for the docs (docs/screenshots/NAME.png, committed and shown in the README). */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  // Every run saves to test-results/screenshots (ignored by git); the committed copies in
  // docs/screenshots change only when asked (UPDATE_SCREENSHOTS=1), so `npm test` leaves the tree clean.
  const dirs = [resolve('test-results/screenshots')];
  if (process.env['UPDATE_SCREENSHOTS'] === '1') dirs.push(resolve('docs/screenshots'));
  const png = await page.screenshot();
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, `${name}.png`), png);
  }
}
