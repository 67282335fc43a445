import { acceptCall, docScreenshot, expect, signIn, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.finishTasks('alice');
});

test('agent pauses by button and Ctrl+Shift+3, sees indicator and banner, survives a reload, resumes by Ctrl+Shift+4, toggles by Ctrl+Shift+2, hangs up and finds the paused span in the recording', async ({
  page,
  system,
}) => {
  await signIn(page, 'alice');
  await acceptCall(page, system, 'alice');

  const pause = page.getByRole('button', { name: 'Pause Recording' });
  const resume = page.getByRole('button', { name: 'Resume Recording' });
  const panel = page.getByRole('status', { name: 'Call Recording Paused' });
  await expect(pause).toHaveAttribute('aria-pressed', 'false');
  await expect(pause).toHaveAttribute('title', 'Pause Recording');
  await docScreenshot(page, 'call-canvas-recording');

  // Pause by the button.
  await pause.click();
  await expect(resume).toHaveAttribute('aria-pressed', 'true');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Paused by alice');
  await expect(page.getByRole('alert').filter({ hasText: 'Call recording paused' })).toBeVisible();
  await expect(page.getByLabel('Recording status')).toHaveText(/^Paused for \d:\d\d$/);
  await expect(panel).toHaveText(/^Call Recording Paused · \d:\d\d · Paused by alice$/);
  await docScreenshot(page, 'call-canvas-paused');

  // The state lives on the server: a reload shows it paused again.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Resume Recording' })).toHaveAttribute('aria-pressed', 'true');
  await expect(panel).toBeVisible();

  // Resume by Ctrl+Shift+4.
  await page.keyboard.press('Control+Shift+Digit4');
  await expect(pause).toHaveAttribute('aria-pressed', 'false');
  await expect(panel).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Call recording resumed' })).toBeVisible();

  // Pause by Ctrl+Shift+3.
  await page.keyboard.press('Control+Shift+Digit3');
  await expect(resume).toHaveAttribute('aria-pressed', 'true');
  await expect(panel).toBeVisible();

  // Toggle by Ctrl+Shift+2: paused -> recording.
  await page.keyboard.press('Control+Shift+Digit2');
  await expect(pause).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByLabel('Recording status')).toHaveText('Recording');

  // Hang up, wrap up, complete.
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(page.getByRole('heading', { name: 'Wrap-up' })).toBeVisible();
  await expect(pause).toBeDisabled();
  await page.getByRole('button', { name: 'Complete' }).click();
  await expect(page.getByText('Select a task to see the call.')).toBeVisible();

  // The recordings page lists the call's recordings; one of them shows its paused spans drawn.
  await page.getByRole('link', { name: 'Recordings' }).click();
  const open = page.getByRole('button', { name: /^Open RE/ });
  await expect(open.first()).toBeVisible();
  await docScreenshot(page, 'recordings-list');
  await open.first().click();
  await expect(page.getByRole('img', { name: /^Waveform of RE/ })).toBeVisible();
  const spans = page.getByRole('list', { name: 'Paused spans' }).getByRole('listitem');
  await expect(spans).toHaveCount(2);
  await expect(spans.first()).toContainText('Silenced pause by alice');
  // Placed by the engine's capture log, not approximated from server clocks.
  await expect(spans.first()).toContainText(/: \d+\.\d\d s into the audio, \d+\.\d\d s$/);
  await expect(spans.first()).not.toContainText('≈');
  await expect(page.getByTestId('paused-span')).toHaveCount(2);
  await expect(page.getByRole('link', { name: 'Download WAV' })).toHaveAttribute('download', /\.wav$/);
  await docScreenshot(page, 'recording-waveform');
});
