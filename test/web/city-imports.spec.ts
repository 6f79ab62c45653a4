// The city office in the browser through the real stack: it imports a feed with a bad row and
// reads the rejection, has a file with a wrong header refused whole, then starts a tiering run,
// watches its progress and reads its results.
import type { Page } from '@playwright/test';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { demoToken, expect, expectAccessible, screenshot, signInAs, test } from './fixtures.js';

/** The title of the page (Ant Design Pro's page header). */
function pageTitle(page: Page, title: string) {
  return page.locator('.ant-page-header-heading-title', { hasText: title });
}

const CITY_OFFICE = '市市场监管委';

function csv(name: string, text: string) {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') };
}

/**
 * A district's worth of new households (东丽区, which no other scenario reads): registered this
 * year, so survival at most — the demo's tiers, quota base and the households other scenarios use
 * stay as they are — and enough of them that a run takes long enough to be watched.
 */
const BULK_HOUSEHOLDS = 20_000;
function bulkRegistrations(): string {
  const thisYear = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4);
  const lines = ['uscc,name,operator_id,operator_name,district_code,industry_code,established_on,status,seasonal,suspended_on,special_group'];
  for (let i = 0; i < BULK_HOUSEHOLDS; i++) {
    const first17 = `92120110MB${String(i).padStart(7, '0')}`;
    lines.push(`${first17}${usccCheckCharacter(first17)},东丽区批量测试户${i},op-bulk-${i},测试${i},120110,F5211,${thisYear}-01-02,active,false,,`);
  }
  return `${lines.join('\n')}\n`;
}

test.describe.serial('the city office imports feeds and runs the tiering', () => {
  test('a feed with a bad row lands its good rows and lists the rejection in Chinese', async ({ page }) => {
    await signInAs(page, CITY_OFFICE);
    await page.getByRole('link', { name: '数据导入' }).click();
    await expect(pageTitle(page, '数据导入')).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel('数据类别').click();
    await page.getByText('社会保险信息（social_insurance）').click();
    // Last year's insured people of two development households (their tiers stay) and one bad count.
    const lastYear = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)) - 1;
    await page.locator('input[type=file]').setInputFiles(
      csv('social_insurance.csv', `uscc,year,insured_count\n92120104MA06B7Q405,${lastYear},4\n92120116MA07C8R520,${lastYear},abc\n92120116MA07C8R520,${lastYear - 1},5\n`),
    );
    await page.getByRole('button', { name: '开始导入' }).click();
    await expect(page.getByText('导入完成：读取3行，接收2行，拒收1行')).toBeVisible();
    const rejection = page.getByRole('row').filter({ hasText: 'insured_count' });
    await expect(rejection).toContainText('3');
    await expect(rejection).toContainText('"abc" 不是整数');
    await expect(page.getByRole('row').filter({ hasText: 'social_insurance.csv' }).first()).toContainText('社会保险信息');
    await expectAccessible(page);
  });

  test('a file whose header is wrong is refused whole, saying which column is missing', async ({ page }) => {
    await signInAs(page, CITY_OFFICE);
    await page.goto('/city/imports');
    await page.getByLabel('数据类别').click();
    await page.getByText('社会保险信息（social_insurance）').click();
    await page.locator('input[type=file]').setInputFiles(csv('wrong-header.csv', 'uscc,year\n92120104MA06B7Q405,2025\n'));
    await page.getByRole('button', { name: '开始导入' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: '导入未成功' });
    await expect(refusal).toContainText('没有写入任何数据');
    await expect(refusal).toContainText('表头缺少“insured_count”列');
  });

  test('a district-sized registrations file is uploaded with its progress shown', async ({ page }) => {
    await signInAs(page, CITY_OFFICE);
    await page.goto('/city/imports');
    await page.getByLabel('数据类别').click();
    await page.getByText('登记注册信息（registrations）').click();
    await page.locator('input[type=file]').setInputFiles(csv('registrations-dongli.csv', bulkRegistrations()));
    const progress = page.getByRole('progressbar', { name: /上传进度|校验写入进度/ }).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: '开始导入' }).click();
    await progress;
    await expect(page.getByText(`导入完成：读取${BULK_HOUSEHOLDS}行，接收${BULK_HOUSEHOLDS}行，拒收0行`)).toBeVisible({ timeout: 60_000 });
  });

  test('a tiering run started from the page shows its progress, then its results as charts and a CSV export', async ({ page }) => {
    await signInAs(page, CITY_OFFICE);
    await page.getByRole('link', { name: '年度分型' }).click();
    await expect(pageTitle(page, '年度分型')).toBeVisible();
    await expectAccessible(page);

    await page.getByRole('button', { name: '开始年度分型' }).click();
    // Small chunks one at a time, so that the run lasts a few seconds. The progress shows while the
    // run computes and while its tiers are applied, polled each second.
    await page.getByText('运行参数（一般无需填写）').click();
    await page.getByLabel('每段户数').fill('500');
    await page.getByLabel('同时判定的段数').fill('1');
    const progressShown = page.getByTestId('run-phase').waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByRole('button', { name: '开始运行' }).click();
    await expect(page).toHaveURL(/\/city\/runs\/\d+$/);
    await progressShown;
    await expect(page.getByRole('progressbar', { name: '分型进度' })).toBeVisible();

    await expect(page.getByText('已完成', { exact: true })).toBeVisible({ timeout: 60_000 });
    const runId = /\/city\/runs\/(\d+)$/.exec(page.url())?.[1];
    const token = await demoToken(page.request, 'city-supervisor');
    const answer = await page.request.get(`/tiering/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.ok(), await answer.text()).toBe(true);
    const { countsByDistrict } = (await answer.json()) as { countsByDistrict: Record<string, Record<string, number>> };
    const nankaiDevelopment = countsByDistrict['120104']?.development ?? 0;
    await expect(page.getByRole('img', { name: new RegExp(`^各区分型结构：.*南开区“发展型”${nankaiDevelopment}户`) }).locator('svg')).toBeVisible();
    await expect(page.getByText('与上年相比的分型变化', { exact: false })).toBeVisible();
    await expect(page.getByTestId('run-phase')).toHaveCount(0);
    await expectAccessible(page);
    await screenshot(page, 'city-run');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出结果（CSV）' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^分型结果-\d{4}-第\d+版\.csv$/);
    const text = (await (await file.createReadStream()).toArray()).map(String).join('');
    expect(text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('uscc,name,district_code,tier,clauses');
    expect(text).toContain('92120104MA06B7Q405');

    // The runs' list names who started each run in words, and the header names the office once.
    await page.getByRole('link', { name: '年度分型' }).click();
    const startedHere = page.getByRole('row').filter({ has: page.getByRole('link', { name: new RegExp(`第\\d+版`) }) }).filter({ hasText: CITY_OFFICE });
    await expect(startedHere.first()).toBeVisible();
    await expect(page.getByText(`${CITY_OFFICE}：${CITY_OFFICE}`)).toHaveCount(0);
    await expect(page.getByText(CITY_OFFICE, { exact: true }).first()).toBeVisible();
  });
});
