import type { Locator, Page } from '@playwright/test';
import { expect, expectRecordingAfterAccept, test } from './support/fixtures.ts';

test.afterEach(async ({ system }) => {
  await system.finishTasks('alice');
});

/** Presses Tab until the focused element is `target` (keyboard-only navigation), failing after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target.toString()} with Tab`);
}

/** WCAG contrast ratio of the element's text colour on its background colour. */
function contrastOf(target: Locator): Promise<number> {
  return target.evaluate((el) => {
    const rgb = (c: string): number[] => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string): number => {
      const [r = 0, g = 0, b = 0] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(el);
    const [hi, lo] = [lum(style.color), lum(style.backgroundColor)].sort((a, b) => b - a);
    return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
  });
}

test('keyboard only: sign in, accept, pause and resume with visible focus; the pause control meets WCAG AA contrast in both states', async ({
  page,
  system,
}) => {
  await page.goto('/');
  await tabTo(page, page.getByLabel('Agent'));
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type('demo');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Signed in as alice')).toBeVisible();

  const call = await system.placeCall('alice');
  const accept = page.getByRole('group', { name: `Incoming call from ${call.from}` }).getByRole('button', { name: 'Accept' });
  await expect(accept).toBeVisible();
  await tabTo(page, accept);
  await page.keyboard.press('Enter');
  await expectRecordingAfterAccept(page);

  const pause = page.getByRole('button', { name: 'Pause Recording' });
  await tabTo(page, pause);
  // Visible focus: the focused control draws an outline.
  expect(await pause.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  expect(await contrastOf(pause)).toBeGreaterThanOrEqual(4.5);
  await page.keyboard.press('Space');

  const resume = page.getByRole('button', { name: 'Resume Recording' });
  await expect(resume).toHaveAttribute('aria-pressed', 'true');
  await expect(resume).toBeFocused();
  expect(await contrastOf(resume)).toBeGreaterThanOrEqual(4.5);
  await page.keyboard.press('Enter');
  await expect(pause).toHaveAttribute('aria-pressed', 'false');
});
