// A department's recommendation through the browser alone (C-REC): a city department recommends
// a survival household, which may only come in this way, and its operator consents on the
// household's pages; a district department is refused another district's household, in Chinese
// next to the code it typed, and finds households by name in its own district only.
import { addTags, cstDate, expect, expectAccessible, fieldError, screenshot, signInAs, test } from './fixtures.js';

const HOUSEHOLD = { uscc: '92120119MA08D9T63N', name: '蓟州区山野农家院' };
const CASE_ID = `recognition-${HOUSEHOLD.uscc}-${cstDate().slice(0, 4)}`;

test.describe.serial('a department recommends and the household consents', () => {
  test('a district department may not recommend another district’s household: the refusal is shown next to the code', async ({ page }) => {
    await signInAs(page, '南开区文化和旅游局');
    await page.getByRole('link', { name: '推荐个体工商户' }).click();
    await page.getByLabel('名称或统一社会信用代码').fill('92120101MA05T3K213');
    await page.getByRole('button', { name: '查询申报条件' }).click();
    await expect(page.getByText('当前身份无权办理此事项；请核对“统一社会信用代码”是否在本单位的办理范围内。')).toBeVisible();
    await expect(page.getByText('2. 申报条件逐条说明')).toHaveCount(0);
    // Its names search stays within its district.
    await page.getByLabel('名称或统一社会信用代码').fill('老胡同煎饼');
    await page.getByRole('button', { name: '查询申报条件' }).click();
    await expect(page.getByText('未找到名称相符的个体工商户；请核对名称，或输入18位统一社会信用代码')).toBeVisible();
  });

  test('the city department recommends the survival household, the eligibility explained first', async ({ page }) => {
    await signInAs(page, '市商务局');
    await expect(page.getByRole('heading', { name: '待办事项' })).toBeVisible();
    await page.getByRole('link', { name: '推荐个体工商户' }).click();
    // Found by the name people know it by, as it is typed.
    await page.getByLabel('名称或统一社会信用代码').fill('山野农家');
    await expect(page.getByRole('option', { name: `${HOUSEHOLD.name} 蓟州区 ${HOUSEHOLD.uscc}` })).toHaveCount(1);
    await page.getByLabel('名称或统一社会信用代码').press('ArrowDown');
    await page.getByLabel('名称或统一社会信用代码').press('Enter');
    await expect(page.getByLabel('名称或统一社会信用代码')).toHaveValue(HOUSEHOLD.uscc);
    await expect(page.getByText('符合推荐条件')).toBeVisible();
    await expect(page.getByText(/^C-SRC /)).toBeVisible();

    await page.getByRole('button', { name: '提交推荐' }).click();
    await expect(fieldError(page, '推荐类别')).toHaveText('请选择推荐类别');
    await expect(fieldError(page, '推荐理由')).toHaveText('请填写推荐理由');
    await page.getByText('“特色”类').click();
    await expect(page.getByText(/本推荐即符合 F6/)).toBeVisible();
    const f5 = page.getByLabel(/^F5：获评区级及以上星级农家乐/);
    await f5.click();
    await expect(f5).toBeChecked();
    await page.getByLabel('推荐理由').fill('市级星级农家乐，带动周边农户增收');
    await addTags(page, '证明材料', ['星级农家乐评定证书']);
    await expectAccessible(page);
    await screenshot(page, 'department-recommend');
    await page.getByRole('button', { name: '提交推荐' }).click();

    await expect(page).toHaveURL(new RegExp(`/department/cases/${CASE_ID}$`));
    await expect(page.getByText('当前：等待经营者确认是否同意部门推荐')).toBeVisible();
    await expect(page.getByText('相关部门推荐', { exact: true })).toBeVisible();
  });

  test('the household consents on its pages and the review starts', async ({ page }) => {
    await signInAs(page, HOUSEHOLD.name);
    await page.getByRole('link', { name: '我的认定事项' }).click();
    const row = page.getByRole('row').filter({ hasText: '待经营者确认' });
    await expect(row).toContainText('等待您办理');
    await row.getByRole('link', { name: /查看.*年度认定事项/ }).click();

    await expect(page.getByText(/市商务局推荐本户参加“名特优新”个体工商户认定（市级星级农家乐，带动周边农户增收）/)).toBeVisible();
    await expect(page.getByText(/请在截止日期前答复，逾期未答复推荐失效：\d{4}-\d{2}-\d{2}剩余\d+个工作日/)).toBeVisible();
    await page.getByRole('button', { name: '提交意见' }).click();
    await expect(fieldError(page, '经营者意见')).toHaveText('请选择同意或不同意');
    await page.getByText('同意推荐').click();
    await expectAccessible(page);
    await screenshot(page, 'household-consent');
    await page.getByRole('button', { name: '提交意见' }).click();

    await expect(page.getByText('当前：等待区市场监管局审核')).toBeVisible();
    await expect(page.getByText('经营者同意推荐')).toBeVisible();
  });

  test('the department follows its recommendation', async ({ page }) => {
    await signInAs(page, '市商务局');
    await page.getByRole('link', { name: '本部门推荐' }).click();
    const row = page.getByRole('row').filter({ hasText: HOUSEHOLD.name });
    await expect(row).toContainText('审核中');
    await expectAccessible(page);
  });
});
