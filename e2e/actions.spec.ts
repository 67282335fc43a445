import { acceptCall, expect, signIn, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.finishTasks('alice');
});

test('another feature can veto the button and the shortcut through window.agentDesktop.actions, and invoke the pause action itself', async ({
  page,
  system,
}) => {
  await signIn(page, 'alice');
  await acceptCall(page, system, 'alice');

  // A before-listener that aborts: the button's pause must not happen.
  type Probe = { offVeto: () => void; vetoed: number };
  const taskSid = await page.evaluate(() => {
    const desk = window.agentDesktop;
    if (desk === undefined) throw new Error('window.agentDesktop is missing');
    const probe = window as unknown as Probe;
    probe.vetoed = 0;
    probe.offVeto = desk.actions.addListener('beforePauseCallRecording', (_payload, abort) => {
      probe.vetoed += 1;
      abort();
    });
    return desk.tasks.selected()?.sid ?? '';
  });
  await page.getByRole('button', { name: 'Pause Recording' }).click();
  await page.keyboard.press('Control+Shift+Digit3');
  // Both the button and the shortcut went through the listener, and the server never paused.
  await expect.poll(() => page.evaluate(() => (window as unknown as Probe).vetoed)).toBe(2);
  expect(await system.recordingStatus('alice', taskSid)).toBe('recording');
  await expect(page.getByRole('button', { name: 'Pause Recording' })).toHaveAttribute('aria-pressed', 'false');

  // Without the veto, invoking the action directly pauses, and the button follows the server's state.
  const status = await page.evaluate(async () => {
    (window as unknown as { offVeto: () => void }).offVeto();
    const desk = window.agentDesktop;
    const task = desk?.tasks.selected();
    if (desk === undefined || task === null || task === undefined) throw new Error('no selected task');
    const state = await desk.actions.invokeAction('PauseCallRecording', { task });
    return state?.status;
  });
  expect(status).toBe('paused');
  await expect(page.getByRole('button', { name: 'Resume Recording' })).toHaveAttribute('aria-pressed', 'true');
});
