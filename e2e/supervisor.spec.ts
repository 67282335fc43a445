import { acceptCall, docScreenshot, expect, signIn, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.finishTasks('alice');
});

test('the supervisor sees a paused call live, with who paused, and resumes it; the agent sees the resume without reloading', async ({ browser, system }) => {
  const agentContext = await browser.newContext();
  const supervisorContext = await browser.newContext();
  const agent = await agentContext.newPage();
  const supervisor = await supervisorContext.newPage();

  await signIn(supervisor, 'sam');
  await supervisor.getByRole('link', { name: 'Supervisor' }).click();
  await expect(supervisor.getByText('No live calls.')).toBeVisible();

  await signIn(agent, 'alice');
  await acceptCall(agent, system, 'alice');
  const row = supervisor.getByRole('row', { name: /alice/ });
  await expect(row.getByRole('cell', { name: 'Recording', exact: true })).toBeVisible();

  await agent.getByRole('button', { name: 'Pause Recording' }).click();
  await expect(row.getByRole('cell', { name: 'Paused', exact: true })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'alice' }).nth(1)).toBeVisible();
  await docScreenshot(supervisor, 'supervisor-view');

  await row.getByRole('button', { name: /^Resume Recording/ }).click();
  await expect(row.getByRole('cell', { name: 'Recording', exact: true })).toBeVisible();
  await expect(agent.getByRole('button', { name: 'Pause Recording' })).toHaveAttribute('aria-pressed', 'false');
  await expect(agent.getByRole('status', { name: 'Call Recording Paused' })).toBeHidden();

  await agentContext.close();
  await supervisorContext.close();
});
