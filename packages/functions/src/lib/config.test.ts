import { describe, expect, it } from 'vitest';
import { authTokenProblem, retrySettings, workerTaskCheckEnabled } from './config.ts';
import { startFunctions } from '../local/start.ts';

describe('Functions configuration', () => {
  it('takes only a Twilio-shaped auth token: 32 letters and digits', () => {
    expect(authTokenProblem('a1'.repeat(16))).toBeNull();
    expect(authTokenProblem(undefined)).toMatch(/^AUTH_TOKEN: missing/);
    expect(authTokenProblem('engine-dev-token')).toBe('AUTH_TOKEN: must be 32 letters and digits (a Twilio auth token), got 16 characters');
    expect(authTokenProblem('a'.repeat(31) + '-')).toMatch(/^AUTH_TOKEN: must be 32 letters and digits/);
  });

  it('refuses to start twilio-run with a bad AUTH_TOKEN or ACCOUNT_SID, naming them', async () => {
    await expect(startFunctions({ accountSid: 'AC123', authToken: 'engine-dev-token', build: false })).rejects.toThrow(
      /invalid Functions configuration:\n {2}- ACCOUNT_SID: must be AC followed by 32 lowercase hex digits\n {2}- AUTH_TOKEN: must be 32 letters and digits/,
    );
  });

  it('keeps the worker-to-task check on unless turned off explicitly', () => {
    expect(workerTaskCheckEnabled({})).toBe(true);
    expect(workerTaskCheckEnabled({ VALIDATE_WORKER_TASK: 'yes' })).toBe(true);
    expect(workerTaskCheckEnabled({ VALIDATE_WORKER_TASK: 'False' })).toBe(false);
    expect(workerTaskCheckEnabled({ VALIDATE_WORKER_TASK: '0' })).toBe(false);
  });

  it("has the template's retry defaults (5 retries, 100-300 ms) and reads its variables", () => {
    expect(retrySettings({})).toEqual({ limit: 5, minMs: 100, maxMs: 300 });
    expect(retrySettings({ TWILIO_SERVICE_RETRY_LIMIT: '2', TWILIO_SERVICE_MIN_BACKOFF: '10', TWILIO_SERVICE_MAX_BACKOFF: '5' })).toEqual({
      limit: 2,
      minMs: 10,
      maxMs: 10,
    });
    expect(retrySettings({ TWILIO_SERVICE_RETRY_LIMIT: 'many' }).limit).toBe(5);
  });
});
