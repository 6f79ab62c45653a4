// The city office answers an objection to a tier (T-OBJ) and sets the year's thresholds, in the
// browser through the real stack. The household's objection is sent to the API as its page sends
// it (the public spec walks that page with another household).
import { demoToken, expect, expectAccessible, fieldError, signInAs, test } from './fixtures.js';

const HOUSEHOLD = { uscc: '92120116MA07C8R520', name: '滨海新区海鲜直播小店' };
const CITY_OFFICE = '市市场监管委';

test('the city office dismisses an objection to a tier with its reason, reading the clauses the tier rests on', async ({ page, request }) => {
  const token = await demoToken(request, HOUSEHOLD.uscc);
  const filed = await request.post('/tiering/objections', {
    headers: { authorization: `Bearer ${token}` },
    data: { uscc: HOUSEHOLD.uscc, reason: '本户去年营业收入已超过发展型标准，请核实' },
  });
  expect(filed.status(), await filed.text()).toBe(201);

  await signInAs(page, CITY_OFFICE);
  await page.getByRole('link', { name: '分型异议' }).click();
  const row = page.getByRole('row').filter({ hasText: HOUSEHOLD.name });
  await expect(row).toContainText('“发展型”');
  await expect(row).toContainText(/剩余\d+个工作日/);
  await row.getByRole('button', { name: `处理${HOUSEHOLD.name}的异议` }).click();

  const drawer = page.getByRole('dialog');
  await expect(drawer).toContainText('本户去年营业收入已超过发展型标准，请核实');
  await expect(drawer.getByText('T-B1 符合')).toBeVisible();
  await expectAccessible(page);
  await drawer.getByRole('button', { name: '提交答复' }).click();
  await expect(fieldError(page, '处理结果')).toHaveText('请选择异议是否成立');
  await expect(fieldError(page, '答复理由')).toHaveText('请写明答复理由');

  await drawer.getByLabel('异议不成立（维持原分型）').check();
  await drawer.getByLabel('答复理由').fill('该户已为“发展型”，异议所述情况不改变分型');
  await drawer.getByRole('button', { name: '提交答复' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: HOUSEHOLD.name })).toHaveCount(0);

  // The chosen status covers the select's input, which takes the click underneath.
  await page.getByLabel('状态').click({ force: true });
  await page.getByTitle('异议不成立').click();
  await page.getByRole('button', { name: '查 询' }).click();
  await expect(page.getByRole('row').filter({ hasText: HOUSEHOLD.name })).toContainText('异议不成立');
});

test('the thresholds say before sending that the development one must exceed the growth one', async ({ page }) => {
  await signInAs(page, CITY_OFFICE);
  await page.getByRole('link', { name: '营业收入标准' }).click();
  const growth = page.getByLabel('“成长型”营业收入标准（元）');
  const development = page.getByLabel('“发展型”营业收入标准（元）');
  await expect(growth).toHaveValue(/\d/);
  await development.fill('50000');
  await page.getByRole('button', { name: '保 存' }).click();
  await expect(fieldError(page, '“发展型”营业收入标准（元）')).toHaveText('“发展型”标准（较高）须高于“成长型”标准（一定数额），请调高');

  await growth.fill('100000');
  await development.fill('1000000');
  await page.getByRole('button', { name: '保 存' }).click();
  await expect(page.getByText(/^已保存。/)).toBeVisible();
  await expect(page.getByText(/市市场监管委|city-supervisor/).first()).toBeVisible();
  await expectAccessible(page);
});
