import { AppError, type SimulatorCallResponse } from '@pause-recording/core';
import { randomInt } from 'node:crypto';
import type { ContactCenter } from '../tasks/contact-center.ts';

/**
 * Places simulated customer calls through the voice engine's dev route
 * (`POST /dev/inbound-calls`), which rings the number like a real caller would.
 */
export interface SimulatorOptions {
  readonly engineUrl: string;
  readonly basicAuth: string;
  readonly phoneNumber: string;
  readonly contactCenter: ContactCenter;
  /** `stamped` gives every simulated party the stamped test source; undefined leaves the engine's default. */
  readonly audio: 'stamped' | 'demo' | undefined;
  /** How long to wait for the voice webhook to turn the call into a task. */
  readonly taskWaitMs: number;
}

export class Simulator {
  constructor(private readonly o: SimulatorOptions) {}

  async placeCall(req: { from?: string; durationSeconds?: number; agent?: string }): Promise<SimulatorCallResponse> {
    const from = req.from ?? `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
    if (req.agent !== undefined) this.o.contactCenter.preferAgent(from, req.agent);
    const res = await fetch(`${this.o.engineUrl}/dev/inbound-calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.o.basicAuth },
      body: JSON.stringify({
        From: from,
        To: this.o.phoneNumber,
        ...(req.durationSeconds === undefined ? {} : { HangupAfterSeconds: req.durationSeconds }),
        ...(this.o.audio === undefined ? {} : { Audio: this.o.audio }),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 201) {
      if (req.agent !== undefined) this.o.contactCenter.forgetPreference(from, req.agent);
      throw new AppError('UPSTREAM_UNAVAILABLE', `the voice engine refused the simulated call: HTTP ${res.status} ${text.slice(0, 300)}`);
    }
    const call = JSON.parse(text) as { sid?: unknown };
    if (typeof call.sid !== 'string') throw new AppError('UPSTREAM_UNAVAILABLE', 'the voice engine answered a call without sid');
    const task = await this.o.contactCenter.waitForTask(call.sid, this.o.taskWaitMs);
    return { callSid: call.sid, from, to: this.o.phoneNumber, taskSid: task?.sid ?? null };
  }
}
