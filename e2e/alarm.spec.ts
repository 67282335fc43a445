import { acceptCall, docScreenshot, expect, signIn, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.clearFaults();
  await system.finishTasks('alice');
});

test('when the engine fails to pause one recording, the agent gets a sticky alarm, never "paused"; it clears once a retry pauses everything', async ({
  page,
  system,
}) => {
  await signIn(page, 'alice');
  await acceptCall(page, system, 'alice');
  await system.failCallRecordingUpdates();

  await page.getByRole('button', { name: 'Pause Recording' }).click();
  const alarm = page.getByRole('alert').filter({ hasText: 'still capturing' });
  await expect(alarm).toBeVisible();
  await expect(page.getByLabel('Recording status')).toContainText('Partially paused');
  await expect(page.getByRole('button', { name: 'Resume Recording' })).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Call Recording Paused' })).toBeHidden();
  await expect(alarm.getByRole('button', { name: 'Close' })).toHaveCount(0);
  await docScreenshot(page, 'call-canvas-alarm');

  await system.clearFaults();
  await page.getByRole('button', { name: 'Pause Recording' }).click();
  await expect(page.getByRole('button', { name: 'Resume Recording' })).toHaveAttribute('aria-pressed', 'true');
  await expect(alarm).toBeHidden();
});
