import { SystemApi, acceptCall, expect, signIn, test } from './support/fixtures.ts';
import { startSystemProcess, type SystemProcess } from './support/system-process.ts';

// Its own system: a 1 s reminder and a 3 s maximum pause, so the server's timers fire within the spec.
let own: SystemProcess;
test.beforeAll(async () => {
  // Starting a second engine and server (tsx compiles both) can be slow on a busy 2-core machine.
  test.setTimeout(120_000);
  own = await startSystemProcess({
    features: { pause_recording: { indicator_banner: true, indicator_permanent: true, reminder_seconds: 1, max_pause_seconds: 3 } },
  });
});
test.afterAll(async () => {
  await own?.stop();
});

test('while paused the agent sees the countdown to auto-resume, then the reminder, then the server resumes by itself and says so', async ({ page }) => {
  const system = new SystemApi(own.url, own.engineUrl, own.engineAuth);
  await signIn(page, 'alice', own.url);
  await acceptCall(page, system, 'alice');

  await page.getByRole('button', { name: 'Pause Recording' }).click();
  await expect(page.getByRole('status', { name: 'Call Recording Paused' })).toContainText('Auto-resume in 0:0');
  await expect(page.getByRole('alert').filter({ hasText: 'Remember to resume it.' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'The recording was resumed automatically.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pause Recording' })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByRole('status', { name: 'Call Recording Paused' })).toBeHidden();
  await system.finishTasks('alice');
});
