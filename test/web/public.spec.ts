// The public pages, no login: the tier lookup by name and by code with the reasons and what to
// do about them (T-PUB, T-OBJ), the register (C-FILE) and the support measures (C-AID); and the
// operator of the unclassified household objecting to its tier (T-OBJ) on its own pages.
import { expect, expectAccessible, fieldError, screenshot, signInAs, test } from './fixtures.js';

const UNCLASSIFIED = { uscc: '92120105MA09E1U74P', name: '河北区街角小卖部' };

test('anyone looks a tier up by name, reads why and how to be restored', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('名称或统一社会信用代码').fill('街角小卖');
  await page.getByRole('button', { name: /查\s*询/ }).click();
  const result = page.getByRole('listitem').filter({ hasText: UNCLASSIFIED.name });
  await expect(result).toContainText('未分型');
  await result.getByRole('link', { name: `查看${UNCLASSIFIED.name}的分型原因` }).click();

  await expect(page).toHaveURL(new RegExp(`/public/households/${UNCLASSIFIED.uscc}$`));
  await expect(page.getByText('分型原因')).toBeVisible();
  await expect(page.getByText(/经营异常名录/).first()).toBeVisible();
  // What to do: how to be restored (T-B3) and how to object (T-OBJ).
  await expect(page.getByText(/向区市场监管局申请移出经营异常名录/)).toBeVisible();
  await expect(page.getByText(/异议申诉（T-OBJ）/)).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'public-lookup');
});

test('a code looks the household up directly; a name too short is refused in Chinese before anything is sent', async ({ page }) => {
  await page.goto('/public');
  await page.getByLabel('名称或统一社会信用代码').fill('92120104MA06B7Q405');
  await page.keyboard.press('Enter');
  await expect(page.getByText('南开区泥人张工艺坊')).toBeVisible();
  await expect(page.getByText('“发展型”').first()).toBeVisible();

  await page.getByLabel('名称或统一社会信用代码').fill('泥');
  await page.keyboard.press('Enter');
  await expect(page.getByText('名称至少输入2个字，或输入18位统一社会信用代码')).toBeVisible();
});

test('the register and the support measures read without a login', async ({ page, request }) => {
  await page.goto('/public/register');
  await expect(page.getByRole('heading', { name: '“名特优新”个体工商户名录' })).toBeVisible();
  await expect(page.getByText('“知名”类')).toBeVisible();
  // The counts are the registry's, not the page's rows.
  const counts = (await (await request.get('/public/recognitions/counts')).json()) as { byCategory: Record<string, number> };
  for (const [category, title] of [['renowned', '“知名”类'], ['distinctive', '“特色”类'], ['quality', '“优质”类'], ['emerging', '“新兴”类']] as const) {
    await expect(page.locator('.ant-statistic').filter({ hasText: title }).locator('.ant-statistic-content')).toHaveText(`${counts.byCategory[category]}户`);
  }
  await expectAccessible(page);
  await screenshot(page, 'public-register');

  await page.getByRole('link', { name: '扶持措施' }).click();
  await expect(page.getByRole('heading', { name: '“生存型”个体工商户', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: '“名特优新”个体工商户', exact: true })).toBeVisible();
  await expect(page.getByText('免申即享').first()).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'public-measures');
});

test('a page whose read answers 503 says so, and reads again by itself after its Retry-After', async ({ page }) => {
  // One answer as the API gives it while PostgreSQL is away (api/unavailable.ts); the reads after it reach the API.
  let reads = 0;
  await page.route('**/public/recognitions?*', async (route) => {
    reads += 1;
    if (reads > 1) return route.continue();
    await route.fulfill({
      status: 503,
      headers: { 'retry-after': '1' },
      json: { error: 'Service Unavailable', message: '数据库暂时无法访问，请稍后重试', details: { unavailable: 'database', retryAfterSeconds: 1 } },
    });
  });
  await page.goto('/public/register');
  await expect(page.getByRole('alert').filter({ hasText: '数据库暂时无法访问，请稍后重试' })).toBeVisible();
  // Read again about a second later: the refusal gives way to the register (empty in this stack), unasked.
  await expect(page.getByRole('alert').filter({ hasText: '数据库暂时无法访问' })).toHaveCount(0);
  await expect(page.getByText('暂无符合条件的“名特优新”个体工商户')).toBeVisible();
  expect(reads).toBe(2);
});

test('the operator of the unclassified household objects to its tier and follows the objection', async ({ page }) => {
  await signInAs(page, UNCLASSIFIED.name);
  await expect(page.getByText('未分型').first()).toBeVisible();
  await page.getByRole('link', { name: '我的扶持措施' }).click();
  await expect(page.getByText(/本户目前没有适用的扶持措施/)).toBeVisible();

  await page.getByRole('link', { name: '分型异议申诉' }).click();
  await page.getByRole('button', { name: '提交异议申诉' }).click();
  await expect(fieldError(page, '异议理由')).toHaveText('请填写异议的事实和理由');
  await page.getByLabel('异议理由').fill('经营异常名录已于今年3月移出，请核实后更正分型');
  await expectAccessible(page);
  await page.getByRole('button', { name: '提交异议申诉' }).click();
  await expect(page.getByText('本年度的异议申诉已提交，正在处理')).toBeVisible();
  await expect(page.getByText(/答复期限/)).toBeVisible();
  await expect(page.getByText(/剩余\d+个工作日/)).toBeVisible();
});
