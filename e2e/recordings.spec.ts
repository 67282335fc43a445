import { expect, signIn, test } from './support/fixtures.ts';

test("agents see only their own recordings on the recordings page; the supervisor sees everyone's", async ({ browser, system }) => {
  const aliceTask = await system.recordedCall('alice');

  for (const [who, sees] of [
    ['alice', true],
    ['bob', false],
    ['sam', true],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, who);
    await page.getByRole('link', { name: 'Recordings' }).click();
    await expect(page.getByRole('heading', { name: 'Recordings' })).toBeVisible();
    // Wait for the list (or its empty message) before judging what is missing from it.
    await expect(page.getByRole('table').or(page.getByText('No recordings yet.'))).toBeVisible();
    const row = page.getByRole('row').filter({ hasText: aliceTask });
    if (sees) {
      await expect(row.first()).toBeVisible();
      await expect(row.first().getByRole('cell', { name: 'alice', exact: true })).toBeVisible();
    } else {
      await expect(row).toHaveCount(0);
    }
    await context.close();
  }
});
