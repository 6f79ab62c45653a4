import { AxeBuilder } from '@axe-core/playwright';
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { addWorkingDays, buildCalendar, type HolidayNotice } from '../../policy/calendar.js';
import { fileURLToPath } from 'node:url';

export { expect };

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Every spec runs against the stack test/web/global-setup.ts started. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env['WEB_BASE_URL'];
    if (!url) throw new Error('WEB_BASE_URL is unset: run the browser tests with npx playwright test (its global setup starts the stack)');
    await use(url);
  },
});

/** Signs in through the login page as the demo actor with this label, as a person would. */
export async function signInAs(page: Page, label: string): Promise<void> {
  await page.goto('/login');
  await page.getByRole('button', { name: `以“${label}”登录` }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
}

/** Until the page's finite animations have ended (a spinner's never do, hence the bounded wait). */
export async function animationsEnded(page: Page): Promise<void> {
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity), null, { timeout: 5_000 })
    .catch(() => undefined);
}

/** A demo actor's bearer token, as the login page gets it, for what a test sends through the API. */
export async function demoToken(request: APIRequestContext, actorId: string): Promise<string> {
  const answer = await request.post('/demo/sessions', { data: { actorId } });
  expect(answer.ok(), await answer.text()).toBe(true);
  return ((await answer.json()) as { token: string }).token;
}

/** No serious or critical accessibility violations (axe-core, WCAG 2 A/AA). */
export async function expectAccessible(page: Page): Promise<void> {
  // Axe reads an element fading in or out (a field's help leaving, a toast) as faint text.
  await animationsEnded(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    grave.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
  ).toEqual([]);
}

/** A screenshot for the README, made by the test that walks the page. */
export async function screenshot(page: Page, name: string): Promise<void> {
  // The whole page in one viewport (not a stitched full-page capture, which repeats the fixed
  // header and folds the menu), then the viewport as it was.
  const viewport = page.viewportSize() ?? { width: 1366, height: 900 };
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 2400) });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  await page.setViewportSize(viewport);
}

/** Today's date in China Standard Time, offset by whole days, YYYY-MM-DD. */
export function cstDate(offsetDays = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Adds entries to a tags field (证明材料, 补充的材料): typed, each confirmed with Enter. */
export async function addTags(page: Page, label: string, values: string[]): Promise<void> {
  const input = page.getByRole('combobox', { name: label });
  for (const value of values) {
    await input.fill(value);
    await input.press('Enter');
  }
}

/** The error antd shows under the form item with this label. */
export function fieldError(page: Page, label: string) {
  return page.locator('.ant-form-item').filter({ has: page.getByText(label, { exact: true }) }).locator('.ant-form-item-explain-error');
}

/** The date n working days after today (CST), on the holiday notices the API counts with. */
export async function workingDaysFromToday(request: APIRequestContext, n: number): Promise<string> {
  const notices = (await (await request.get('/calendar/holiday-notices')).json()) as HolidayNotice[];
  return addWorkingDays(buildCalendar(notices), cstDate(), n).date;
}
