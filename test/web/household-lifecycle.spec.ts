// A household's self-application through the browser alone, on the real stack: the household
// applies on its pages, the district office (its pages) asks for information, the household
// supplies it, the office accepts and verifies, the public objects on the publicity page, the
// office resolves the objection, and the household follows every step on its case's timeline.
import type { Page } from '@playwright/test';
import { addTags, animationsEnded, cstDate, expect, expectAccessible, fieldError, screenshot, signInAs, test, workingDaysFromToday } from './fixtures.js';

const HOUSEHOLD = { uscc: '92120101MA05T3K213', name: '和平区老胡同煎饼果子铺' };
const DISTRICT_OFFICE = '和平区市场监管局';
const CASE_ID = `recognition-${HOUSEHOLD.uscc}-${cstDate().slice(0, 4)}`;
const OBJECTION = '该店煎饼果子的制作技艺并非传统工艺，申报材料夸大';

async function openCaseAsDistrict(page: Page): Promise<void> {
  await signInAs(page, DISTRICT_OFFICE);
  await page.goto(`/district/cases/${CASE_ID}`);
}

test.describe.serial('a household applies and follows its case to publicity', () => {
  test('the household reads its tier, then applies with the form pre-filled and every clause explained', async ({ page }) => {
    await signInAs(page, HOUSEHOLD.name);
    await expect(page.getByRole('heading', { name: '我的分型' })).toBeVisible();
    await expect(page.getByText('“成长型”').first()).toBeVisible();
    await expect(page.getByText('分型原因')).toBeVisible();
    await expectAccessible(page);
    await screenshot(page, 'household-tier');

    await page.getByRole('button', { name: '自主申报“名特优新”' }).click();
    await expect(page.getByRole('heading', { name: '自主申报“名特优新”个体工商户' })).toBeVisible();
    // Pre-filled from the registry (C-NOFEE), eligibility clause by clause before filing.
    await expect(page.getByText('胡某')).toBeVisible();
    await expect(page.getByText('符合全部申报条件，可以提交申报。')).toBeVisible();
    for (const clause of ['C-CYCLE', 'T-B1', 'C-SRC', 'C-EX1', 'C-EX2', 'C-BAN', 'C-ONE-TYPE', 'C-ONE-PERSON']) {
      await expect(page.getByText(new RegExp(`^${clause} `))).toBeVisible();
    }
    await expectAccessible(page);

    // Nothing chosen: the form says what is missing, next to each field.
    await page.getByRole('button', { name: '提交申报' }).click();
    await expect(fieldError(page, '申报类别')).toHaveText('请选择申报类别');
    await expect(fieldError(page, '符合的认定标准（可多选，符合其中一项即可申报）')).toHaveText('请至少选择一项符合的认定标准');

    await page.getByText('“特色”类').click();
    // The criteria in the plan's words; a self-application cannot claim the department's one (F6).
    await expect(page.getByText('F6：')).toHaveCount(0);
    const f1 = page.getByLabel(/^F1：依托区域文化和旅游资源/);
    await f1.click();
    await expect(f1).toBeChecked();
    await addTags(page, '证明材料', ['天津老字号小吃名录入选通知']);
    await screenshot(page, 'household-apply');
    await page.getByRole('button', { name: '提交申报' }).click();

    await expect(page).toHaveURL(new RegExp(`/household/cases/${CASE_ID}$`));
    await expect(page.getByText('当前：等待区市场监管局审核')).toBeVisible();
    await expect(page.getByText(/审核截止：\d{4}-\d{2}-\d{2}剩余\d+个工作日/)).toBeVisible();
    await expect(page.getByText('经营者自主申报')).toBeVisible();
    // The case's facts in two columns (two labels a row), not antd's default three, each label squeezed to a character a line.
    const firstRow = page.locator('.ant-descriptions-row').filter({ hasText: '统一社会信用代码' });
    await expect(firstRow.locator('.ant-descriptions-item-label')).toHaveText(['个体工商户', '统一社会信用代码']);
  });

  test('the district office asks for information (its pages)', async ({ page, request }) => {
    await openCaseAsDistrict(page);
    await page.getByRole('tab', { name: '要求补充材料' }).click();
    await page.getByLabel('需要补充的材料').fill('请补充老字号小吃名录入选通知的原件照片');
    await page.getByLabel('补充截止日期').click();
    await page.getByLabel('补充截止日期').fill(await workingDaysFromToday(request, 10));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '要求补充材料' }).click();
    await expect(page.getByText('待补充材料', { exact: true }).first()).toBeVisible();
  });

  test('the household sees what is asked and by when, and supplies it', async ({ page }) => {
    await signInAs(page, HOUSEHOLD.name);
    // The district's request reaches the household's inbox: the bell counts it, opening it reads it.
    const bell = page.getByRole('button', { name: /^消息，\d+条未读$/ });
    await expect(bell).toBeVisible();
    await bell.click();
    const inbox = page.getByRole('dialog').filter({ hasText: '我的消息' });
    const asked = inbox.getByRole('listitem').filter({ hasText: '请补充申请材料' });
    await expect(asked).toContainText('未读');
    await expect(asked).toContainText('请补充老字号小吃名录入选通知的原件照片');
    await expect(asked).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);
    await asked.click();
    await expect(asked).not.toContainText('未读');
    // The notification leads to its case.
    await asked.getByRole('link', { name: '查看认定事项' }).click();
    await expect(inbox).toBeHidden();
    await expect(page).toHaveURL(new RegExp(`/household/cases/${CASE_ID}$`));
    await expect(page.getByText('区市场监管局要求补充材料：请补充老字号小吃名录入选通知的原件照片')).toBeVisible();

    await page.getByRole('link', { name: '我的认定事项' }).click();
    const row = page.getByRole('row').filter({ hasText: '待补充材料' });
    await expect(row).toContainText('等待您办理');
    await expectAccessible(page);
    await row.getByRole('link', { name: /查看.*年度认定事项/ }).click();

    await expect(page.getByText('区市场监管局要求补充材料：请补充老字号小吃名录入选通知的原件照片')).toBeVisible();
    await expect(page.getByText(/请在截止日期前提交：\d{4}-\d{2}-\d{2}剩余\d+个工作日/)).toBeVisible();
    await page.getByRole('button', { name: '提交补充材料' }).click();
    await expect(fieldError(page, '补充的材料')).toHaveText('请至少填写一项补充的材料');
    await addTags(page, '补充的材料', ['入选通知原件照片']);
    await page.getByLabel('说明（可选）').fill('原件照片两张');
    await expectAccessible(page);
    await screenshot(page, 'household-case');
    await page.getByRole('button', { name: '提交补充材料' }).click();

    await expect(page.getByText('当前：等待区市场监管局审核')).toBeVisible();
    await expect(page.getByText('经营者补充材料', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: '提交补充材料' })).toHaveCount(0);
  });

  test('the district office accepts and verifies on site (its pages): publicity starts', async ({ page }) => {
    await openCaseAsDistrict(page);
    await page.getByRole('button', { name: '通过审核' }).click();
    await expect(page.getByText('走访核实中').first()).toBeVisible();
    await page.getByLabel('核实情况').fill('现场核实：传统手工摊制，经营场所与登记一致');
    await page.getByRole('button', { name: '提交核实情况' }).click();
    await expect(page.getByText('公示中').first()).toBeVisible();
  });

  test('the public reads the notice with its objection window and files an objection, without logging in', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('link', { name: '认定公示与异议' }).click();
    const row = page.getByRole('row').filter({ hasText: HOUSEHOLD.name });
    await expect(row).toContainText('和平区');
    await expect(row).toContainText('“特色”');
    await expect(row).toContainText(/剩余\d+个工作日|今天截止/);
    await expectAccessible(page);
    await screenshot(page, 'public-notices');

    await row.getByRole('button', { name: `对${HOUSEHOLD.name}提出异议` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '提交异议' }).click();
    await expect(fieldError(page, '异议内容')).toHaveText('请填写异议的事实和理由');
    await dialog.getByLabel('异议内容').fill(OBJECTION);
    await dialog.getByRole('button', { name: '提交异议' }).click();
    await expect(page.getByText(/异议已提交（第1号）/)).toBeVisible();
    await expect(dialog).toBeHidden();
  });

  test('the district office resolves the objection (its pages)', async ({ page }) => {
    await signInAs(page, DISTRICT_OFFICE);
    await page.getByRole('link', { name: '公示异议' }).click();
    const row = page.getByRole('row').filter({ hasText: OBJECTION });
    await row.getByRole('button', { name: /^处理/ }).click();
    const dialog = page.getByRole('dialog');
    // A choice clicked while the dialog still animates (its zoom, a field's message) was seen not to take.
    await animationsEnded(page);
    await dialog.getByLabel('异议不成立').check();
    await dialog.getByLabel('处理理由').fill('经核实，该店制作技艺传承三代，申报材料属实');
    await dialog.getByRole('button', { name: '提交处理结果' }).click();
    await expect(dialog).toBeHidden();
  });

  test('the household follows every step on its timeline, the objector unnamed', async ({ page }) => {
    await signInAs(page, HOUSEHOLD.name);
    await page.goto(`/household/cases/${CASE_ID}`);
    await expect(page.getByText('当前：公示期内，社会公众可提出异议')).toBeVisible();
    for (const step of ['经营者自主申报', '要求补充材料', '经营者补充材料', '通过审核', '走访核实完成', '开始信息公示', '收到公示异议', '公示异议处理完毕']) {
      await expect(page.getByText(step, { exact: true }).first(), step).toBeVisible();
    }
    await expect(page.getByText('理由：经核实，该店制作技艺传承三代，申报材料属实')).toBeVisible();
    await expect(page.getByText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/).first()).toBeVisible();
    // The office's name, not the account of the clerk who took the step.
    await expect(page.getByText(/\d{2}:\d{2}（北京时间） · 区市场监管局$/).first()).toBeVisible();
    await expect(page.getByText(/reviewer-/)).toHaveCount(0);
  });

  test('the household opens and reads its case on a phone: labels above their values, nothing wider than the screen', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAs(page, HOUSEHOLD.name);
    await page.goto('/household/cases');
    // The list scrolls sideways on a phone; the way into the case stays in reach.
    const open = page.getByRole('link', { name: `查看${cstDate().slice(0, 4)}年度认定事项` });
    await expect(open).toBeInViewport();
    await open.click();
    await expect(page.getByText('当前：公示期内，社会公众可提出异议')).toBeVisible();
    // Beside its value the label was squeezed to a character a line (eight lines for this one).
    const label = page.locator('.ant-descriptions-item-label').filter({ hasText: '统一社会信用代码' });
    const value = page.getByText(HOUSEHOLD.uscc, { exact: true });
    const [labelBox, valueBox] = [await label.boundingBox(), await value.boundingBox()];
    expect(labelBox!.height).toBeLessThan(60);
    expect(valueBox!.y).toBeGreaterThan(labelBox!.y + labelBox!.height - 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
    await expectAccessible(page);
  });
});
