import { acceptCall, docScreenshot, expect, signIn, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.finishTasks('bob');
});

test('an agent remaps the pause shortcut to Ctrl+Shift+9 and pauses with it; the old keys no longer pause', async ({ page, system }) => {
  await signIn(page, 'bob');
  await page.getByRole('link', { name: 'Shortcuts' }).click();
  const remap = page.getByRole('button', { name: 'Remap: Pause recording' });
  await remap.click();
  await expect(remap).toHaveText('Press the new key…');
  await page.keyboard.press('Control+Shift+Digit9');
  await expect(page.getByRole('table', { name: 'Custom shortcuts' }).getByText('Ctrl+Shift+9')).toBeVisible();
  await docScreenshot(page, 'shortcut-settings');

  // The mapping is kept in localStorage: it survives a reload.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Custom shortcuts' }).getByText('Ctrl+Shift+9')).toBeVisible();

  await page.getByRole('link', { name: 'Desktop' }).click();
  await acceptCall(page, system, 'bob');
  await page.keyboard.press('Control+Shift+Digit3');
  await page.keyboard.press('Control+Shift+Digit9');
  await expect(page.getByRole('button', { name: 'Resume Recording' })).toHaveAttribute('aria-pressed', 'true');
  // Ctrl+Shift+3 was pressed first and did nothing: the only pause is the one by the new keys.
  const token = await system.login('bob');
  const tasks = (await (await fetch(`${system.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    tasks: { sid: string; status: string }[];
  };
  const live = tasks.tasks.find((t) => t.status === 'assigned');
  expect(live).toBeDefined();
  const audit = (await (await fetch(`${system.url}/api/audit?taskSid=${live?.sid ?? ''}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    events: { action: string }[];
  };
  expect(audit.events.filter((e) => e.action === 'pause')).toHaveLength(1);
});
