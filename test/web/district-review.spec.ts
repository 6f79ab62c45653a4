// The district office's part of a recognition case, in the browser through the real stack: it
// asks for information, accepts and verifies, and resolves a publicity objection. The household's
// and the public's moves (the application, the information, the objection) are sent to the API
// as their pages send them; their own specs walk those pages.
import type { Page } from '@playwright/test';
import { animationsEnded, cstDate, demoToken, expect, expectAccessible, fieldError, screenshot, signInAs, test, workingDaysFromToday } from './fixtures.js';

/** The title of the page (Ant Design Pro's page header). */
function pageTitle(page: Page, title: string) {
  return page.locator('.ant-page-header-heading-title', { hasText: title });
}

const HOUSEHOLD = { uscc: '92120116MA07C8R520', name: '滨海新区海鲜直播小店' };
const DISTRICT_OFFICE = '滨海新区市场监管局';

const CASE_ID = `recognition-${HOUSEHOLD.uscc}-${cstDate().slice(0, 4)}`;

/** Axe reads a toast fading in or out as faint text: check the page once the toasts have gone. */
async function expectAccessibleOnceSettled(page: Page): Promise<void> {
  await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 10_000 });
  await expectAccessible(page);
}

/** The colour of the frame around a field (antd frames a text area with a counter in a wrapper). */
function frameColour(page: Page, label: string): Promise<string> {
  return page.getByLabel(label).evaluate((field) => getComputedStyle(field.closest('.ant-input-affix-wrapper') ?? field).borderColor);
}

async function pickDate(page: Page, label: string, date: string): Promise<void> {
  await page.getByLabel(label).click();
  await page.getByLabel(label).fill(date);
  await page.keyboard.press('Enter');
}

test.describe.serial('the district office reviews a case', () => {
  test('the household applies (through the API, as its page does)', async ({ request }) => {
    const token = await demoToken(request, HOUSEHOLD.uscc);
    const answer = await request.post('/applications', {
      headers: { authorization: `Bearer ${token}` },
      data: { uscc: HOUSEHOLD.uscc, category: 'emerging', claimedCriteria: ['E3'], evidenceRefs: ['直播平台粉丝数截图'] },
    });
    expect(answer.status(), await answer.text()).toBe(201);
  });

  test('the worklist shows the case with its due date and working days left; the clerk asks for information', async ({ page, request }) => {
    await signInAs(page, DISTRICT_OFFICE);
    await expect(pageTitle(page, '待办事项')).toBeVisible();
    const row = page.getByRole('row').filter({ hasText: HOUSEHOLD.name });
    await expect(row).toContainText('审核中');
    await expect(row).toContainText(/剩余\d+个工作日/);
    await expectAccessible(page);
    await screenshot(page, 'district-worklist');

    await row.getByRole('link', { name: HOUSEHOLD.name }).click();
    await expect(page).toHaveURL(new RegExp(`/district/cases/${CASE_ID}$`));
    await expect(page.getByTestId('case-event').first()).toContainText('经营者自主申报');
    await expect(page.getByText('申报时的资格审查')).toBeVisible();
    // Only the decisions under review: no verification, no objection handling yet.
    await expect(page.getByRole('tab', { name: '通过审核' })).toBeVisible();
    // The page opens to be read: no decision's field takes the cursor (and the page's scroll).
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
    await expect(page.getByRole('tab', { name: '走访核实' })).toHaveCount(0);

    await page.getByRole('tab', { name: '要求补充材料' }).click();
    // A field being typed in is framed in blue, not in the red of a field in error.
    await page.getByLabel('需要补充的材料').focus();
    await expect.poll(() => frameColour(page, '需要补充的材料')).toBe('rgb(29, 78, 216)');
    await page.getByRole('button', { name: '要求补充材料' }).click();
    await expect.poll(() => frameColour(page, '需要补充的材料')).toBe('rgb(255, 77, 79)');
    await expect(fieldError(page, '需要补充的材料')).toHaveText('请写明需要经营者补充哪些材料');
    await expect(fieldError(page, '补充截止日期')).toHaveText('请选择补充材料的截止日期');

    // Blank text passes the form but not the rule: the API's refusal shows next to the field, in Chinese.
    await page.getByLabel('需要补充的材料').fill('   ');
    await pickDate(page, '补充截止日期', await workingDaysFromToday(request, 10));
    await page.getByRole('button', { name: '要求补充材料' }).click();
    await expect(fieldError(page, '需要补充的材料')).toContainText('请检查并修改“理由”');

    await page.getByLabel('需要补充的材料').fill('请补充近一年直播带货的销售记录');
    await page.getByRole('button', { name: '要求补充材料' }).click();
    await expect(page.getByText('待补充材料', { exact: true }).first()).toBeVisible();
    await expect(page.getByTestId('case-event').filter({ hasText: '要求补充材料' })).toContainText('请补充近一年直播带货的销售记录');
    await expect(page.getByText('此案件当前没有需要本部门作出的决定')).toBeVisible();
  });

  test('the household supplies it (through the API, as its page does)', async ({ request }) => {
    const token = await demoToken(request, HOUSEHOLD.uscc);
    const answer = await request.post(`/cases/${CASE_ID}/information`, {
      headers: { authorization: `Bearer ${token}` },
      data: { evidenceRefs: ['2025年直播销售记录'], note: '已上传' },
    });
    expect(answer.status(), await answer.text()).toBe(200);
  });

  test('the clerk accepts, verifies on site, and the case goes to publicity', async ({ page }) => {
    await signInAs(page, DISTRICT_OFFICE);
    await page.goto(`/district/cases/${CASE_ID}`);
    await expect(page.getByTestId('case-event').filter({ hasText: '经营者补充材料' })).toBeVisible();
    await page.getByRole('button', { name: '通过审核' }).click();
    await expect(page.getByText('走访核实中').first()).toBeVisible();
    await expect(page.getByRole('tab', { name: '走访核实' })).toBeVisible();

    await page.getByLabel('核实情况').fill('现场核实：直播间与经营场所一致，销售记录属实');
    await page.getByRole('button', { name: '提交核实情况' }).click();
    await expect(page.getByText('公示中').first()).toBeVisible();
    await expect(page.getByTestId('case-event').filter({ hasText: '走访核实完成' })).toBeVisible();
    await expect(page.getByTestId('case-event').filter({ hasText: '开始信息公示' })).toBeVisible();
    await expectAccessibleOnceSettled(page);
    await screenshot(page, 'district-case');
  });

  test('the public objects (through the API, as its page does) and the clerk resolves the objection', async ({ page, request }) => {
    const filed = await request.post(`/publicity/${CASE_ID}/objections`, { data: { reason: '该店直播间粉丝数系刷量所得' } });
    expect(filed.status(), await filed.text()).toBe(201);

    await signInAs(page, DISTRICT_OFFICE);
    await page.getByRole('link', { name: '公示异议' }).click();
    const row = page.getByRole('row').filter({ hasText: '该店直播间粉丝数系刷量所得' });
    await expect(row).toContainText(HOUSEHOLD.name);
    await expect(row).toContainText('匿名');
    await expectAccessible(page);

    await row.getByRole('button', { name: /^处理/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '提交处理结果' }).click();
    await expect(fieldError(page, '处理结果')).toHaveText('请选择异议是否成立');
    // A choice clicked while the dialog still animates (its zoom, a field's message) was seen not to take.
    await animationsEnded(page);
    await dialog.getByLabel('异议不成立').check();
    await dialog.getByLabel('处理理由').fill('经核查平台后台数据，粉丝增长正常，未发现刷量');
    await dialog.getByRole('button', { name: '提交处理结果' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('row').filter({ hasText: '该店直播间粉丝数系刷量所得' })).toContainText('异议不成立');

    await page.goto(`/district/cases/${CASE_ID}`);
    const resolved = page.getByTestId('case-event').filter({ hasText: '公示异议处理完毕' });
    await expect(resolved).toContainText('粉丝增长正常');
    await expect(resolved).toContainText('区市场监管局');
  });

  test('the district dashboard charts tiers, cases by status and the quota', async ({ page, request }) => {
    const session = await request.post('/demo/sessions', { data: { actorId: 'reviewer-120116' } });
    expect(session.ok(), await session.text()).toBe(true);
    const { token } = (await session.json()) as { token: string };
    const year = cstDate().slice(0, 4);
    const tiering = await request.get(`/tiering/years/${year}`, { headers: { authorization: `Bearer ${token}` } });
    expect(tiering.ok(), await tiering.text()).toBe(true);
    const { countsByDistrict } = (await tiering.json()) as { countsByDistrict: Record<string, Record<string, number>> };
    const development = countsByDistrict['120116']?.development ?? 0;
    expect(development).toBeGreaterThan(0);

    await signInAs(page, DISTRICT_OFFICE);
    await page.getByRole('link', { name: '本区统计' }).click();
    await expect(pageTitle(page, '滨海新区统计')).toBeVisible();
    await expect(page.getByRole('img', { name: new RegExp(`^分型结构：“发展型”${development}户`) }).locator('svg')).toBeVisible();
    await expect(page.getByRole('img', { name: /^案件办理状态：.*公示中1件/ }).locator('svg')).toBeVisible();
    await expectAccessible(page);
    await screenshot(page, 'district-dashboard');
  });
});
