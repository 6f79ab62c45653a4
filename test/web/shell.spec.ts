import { expect, expectAccessible, signInAs, test } from './fixtures.js';

test('the first page is usable within 1 s of loading (load to interactive)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '分型结果查询' })).toBeVisible();
  // Measured on reloads in a warm browser: from navigation start until the search box is on
  // screen with its handlers (the page marks that moment), then shown to take input; the median
  // of three, so that one stall of this shared machine does not decide it.
  const timings: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.getByLabel('名称或统一社会信用代码').fill('泥人');
    timings.push(await page.evaluate(() => performance.getEntriesByName('tier-lookup-interactive')[0]!.startTime));
  }
  const median = timings.sort((a, b) => a - b)[1]!;
  expect(median, `load to interactive: ${timings.map(Math.round).join(', ')} ms`).toBeLessThan(1000);
});

test('the login page lists the demo actors of every role and says it is a demo system', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByText('演示系统：')).toBeVisible();
  for (const label of ['和平区老胡同煎饼果子铺', '和平区市场监管局', '市商务局', '南开区文化和旅游局', '市市场监管委']) {
    await expect(page.getByRole('button', { name: `以“${label}”登录` })).toBeVisible();
  }
  await expectAccessible(page);
});

test('a demo sign-in lands on the role’s own pages and signing out returns to the login page', async ({ page }) => {
  await signInAs(page, '南开区泥人张工艺坊');
  await expect(page).toHaveURL(/\/household/);
  await expect(page.getByText('演示系统：')).toBeVisible();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login/);
  // A household's pages need a login again.
  await page.goto('/household');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('an address no page has says so and offers the way back, in the public pages and a signed-in section alike', async ({ page }) => {
  await page.goto('/public/publicity');
  await expect(page.getByText('页面不存在')).toBeVisible();
  await page.getByRole('link', { name: '返回分型结果查询' }).click();
  await expect(page.getByRole('heading', { name: '分型结果查询' })).toBeVisible();

  await signInAs(page, '南开区泥人张工艺坊');
  await page.goto('/household/my-cases');
  await expect(page.getByText('页面不存在')).toBeVisible();
  await page.getByRole('link', { name: '返回我的分型' }).click();
  await expect(page.getByRole('heading', { name: '我的分型' })).toBeVisible();
});
