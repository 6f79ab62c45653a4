import { defineConfig } from '@playwright/test';

// The browser tests: Debian's chromium (never a downloaded browser) against the whole stack,
// which test/web/global-setup.ts starts as `npm start` does, on free ports and a throwaway data dir.
const jsonReport = process.env['PLAYWRIGHT_JSON_OUTPUT_NAME'];
// Each run keeps its failure artefacts apart, so two runs in one tree do not delete each other's;
// the workers inherit the main process's value.
process.env['WEB_TEST_RUN'] ??= String(process.pid);

export default defineConfig({
  testDir: 'test/web',
  testMatch: '*.spec.ts',
  globalSetup: './test/web/global-setup.ts',
  // One browser at a time: the scenarios share the stack's demo data and the machine is small.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: !!process.env['CI'],
  reporter: jsonReport ? [['list'], ['json', { outputFile: jsonReport }]] : [['list']],
  outputDir: `.data/playwright-results/${process.env['WEB_TEST_RUN']}`,
  use: {
    browserName: 'chromium',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
