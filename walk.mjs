import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3000';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const walks = [
  ['市市场监管委', 'city', ['', 'imports', 'runs', 'thresholds', 'quotas', 'spot-checks', 'revocations', 'transfers', 'objections', 'dashboard', 'notifications']],
  ['南开区市场监管局', 'district', ['', 'publicity', 'annual-reports', 'dashboard']],
  ['市商务局', 'department', ['', 'recommend', 'recommended']],
  ['南开区泥人张工艺坊', 'household', ['', 'apply', 'cases', 'objection', 'measures']],
];
for (const [label, role, paths] of walks) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text().slice(0, 200)}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${base}/login`);
  await page.getByRole('button', { name: `以“${label}”登录` }).click();
  await page.waitForURL(`**/${role}**`);
  for (const p of paths) {
    await page.goto(`${base}/${role}/${p}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);
    await page.screenshot({ path: `/tmp/walk/${role}-${p || 'home'}.png`, fullPage: true });
    const text = (await page.locator('main, .ant-pro-layout-content, body').first().innerText()).replace(/\s+/g, ' ').slice(0, 300);
    console.log(`${role}/${p}: ${text}`);
  }
  console.log(`${role} console:`, problems);
  await context.close();
}
await browser.close();
