/**
 * npm run simulate -- --years 4 --households 5000 --seed 1 [--out .data/simulate]
 *
 * Runs a whole cohort through several years on the training system (time-skipping server,
 * embedded PostgreSQL of its own, the real workers and API), prints what happened and whether
 * every invariant held, and writes the summary as a chart (summary.html) a person can open.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { markTrainingDatabase } from '../db/training-marker.js';
import { cstDateOf, yearOf } from '../policy/dates.js';
import { DEFAULT_ELIGIBILITY_SETTINGS } from '../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS } from '../policy/recognition-case.js';
import { TIANJIN_DISTRICTS } from '../policy/districts.js';
import { createWorkers } from '../workflows/worker.js';
import { freePort, startPostgres } from './postgres.js';
import { ACTOR_PROBABILITIES, SIMULATION_RATE_LIMITS, randomSecret, runSimulation, type SimulationReport } from './simulation.js';
import { startTrainingTemporal } from './training-system.js';

const USAGE = 'usage: npm run simulate -- [--years 4] [--households 5000] [--seed 1] [--out .data/simulate]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      years: { type: 'string', default: '4' },
      households: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: '.data/simulate' },
    },
  });
  const years = Number(values.years);
  const households = Number(values.households);
  const seed = Number(values.seed);
  const problems = [
    !Number.isInteger(years) || years < 1 || years > 10 ? '--years must be a whole number from 1 to 10' : null,
    !Number.isInteger(households) || households < 100 || households > 100_000 ? '--households must be a whole number from 100 to 100,000' : null,
    !Number.isInteger(seed) ? '--seed must be a whole number' : null,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) {
    console.error([...problems, USAGE].join('\n'));
    process.exit(2);
  }
  // The workers' per-task log lines would bury the summary: warnings that matter reach the audit trail anyway.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const out = resolve(values.out);
  // Each run starts afresh: the time-skipping server keeps nothing, so neither may the database.
  rmSync(join(out, 'postgres'), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const stops: Array<() => Promise<unknown>> = [];
  try {
    const postgres = await startPostgres({ dataDir: join(out, 'postgres'), port: await freePort(), database: 'simulation' });
    stops.push(postgres.stop);
    const database = connectDatabase(postgres.url);
    stops.push(database.close);
    await migrateDatabase(database);
    await markTrainingDatabase(database);
    const temporal = await startTrainingTemporal(await freePort());
    stops.push(temporal.stop);
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => workerConnection.close());
    const workers = await createWorkers({ connection: workerConnection, namespace: 'default', db: database.db, now: temporal.clock.now });
    const workerRuns = Promise.all(workers.map((worker) => worker.run()));
    stops.push(async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRuns;
    });
    const clientConnection = await Connection.connect({ address: temporal.address });
    stops.push(() => clientConnection.close());
    const authSecret = randomSecret();
    const app = await buildApp({
      database,
      temporal: new Client({ connection: clientConnection }),
      authSecret,
      caseSettings: DEFAULT_CASE_SETTINGS,
      eligibilitySettings: DEFAULT_ELIGIBILITY_SETTINGS,
      training: temporal.clock,
      rateLimits: SIMULATION_RATE_LIMITS,
    });
    stops.push(() => app.close());

    const startYear = yearOf(cstDateOf(Date.now())) + 1;
    const report = await runSimulation(
      { app, database, clock: temporal.clock, authSecret, cityDir: join(out, 'city') },
      { years, households, seed, startYear, onProgress: (line) => console.log(line) },
    );
    console.log(formatReport(report));
    writeFileSync(join(out, 'summary.html'), chartHtml(report));
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nChart: ${join(out, 'summary.html')}`);
    process.exitCode = Object.values(report.invariants).some((v) => v.length > 0) ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('while stopping:', err));
  }
}

export function formatReport(report: SimulationReport): string {
  const lines = [
    '',
    `Simulated ${report.options.years} years (${report.options.startYear}–${report.options.startYear + report.options.years - 1}) of ${report.options.households} households, seed ${report.options.seed}, in ${report.seconds.toFixed(0)} s; ${report.casesStarted} cases.`,
    '',
    'Cases by year and outcome (status at the end):',
    ...Object.entries(report.casesByYearAndOutcome).map(([year, outcomes]) => `  ${year}  ${Object.entries(outcomes).map(([status, n]) => `${status} ${n}`).join(', ')}`),
    '',
    'Quota used of cap by district (C-QUOTA):',
    ...Object.entries(report.quotaByYear).map(([year, rows]) => `  ${year}  ${rows.map((r) => `${r.districtCode === 'city' ? 'city' : (TIANJIN_DISTRICTS[r.districtCode] ?? r.districtCode)} ${r.used}/${r.cap}`).join(', ')}`),
    '',
    `Fired by the clock, and the terms' turns: ${Object.entries(report.fired).map(([action, n]) => `${action} ${n}`).join(', ') || 'nothing'}`,
    `Overdue steps (escalations, lapses, missed reports): ${report.overdueSteps}`,
    `API answers to the actors: ${Object.entries(report.answers).sort().map(([kind, n]) => `${kind} ×${n}`).join(', ')}`,
    '',
    'Invariants:',
    ...Object.entries(report.invariants).map(([name, violations]) => `  ${violations.length === 0 ? 'held  ' : 'BROKEN'} ${name}${violations.length > 0 ? `: ${violations.slice(0, 5).join('; ')}` : ''}`),
    '',
    `Actors: ${Object.entries(ACTOR_PROBABILITIES).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  return lines.join('\n');
}

/** A self-contained page: bars drawn as SVG, no script, nothing fetched. */
export function chartHtml(report: SimulationReport): string {
  const statuses = [...new Set(Object.values(report.casesByYearAndOutcome).flatMap((o) => Object.keys(o)))].sort();
  const palette = ['#1677ff', '#52c41a', '#faad14', '#f5222d', '#722ed1', '#13c2c2', '#eb2f96', '#8c8c8c', '#a0d911', '#fa541c', '#2f54eb', '#595959'];
  const colour = (status: string) => palette[statuses.indexOf(status) % palette.length]!;
  const years = Object.keys(report.casesByYearAndOutcome);
  const maxCases = Math.max(1, ...years.map((y) => Object.values(report.casesByYearAndOutcome[Number(y)]!).reduce((a, b) => a + b, 0)));
  const barWidth = 60;
  const height = 240;
  const outcomeBars = years
    .map((year, i) => {
      let y = height;
      return Object.entries(report.casesByYearAndOutcome[Number(year)]!)
        .map(([status, n]) => {
          const h = (n / maxCases) * (height - 20);
          y -= h;
          return `<rect x="${40 + i * (barWidth + 30)}" y="${y}" width="${barWidth}" height="${h}" fill="${colour(status)}"><title>${year} ${status}: ${n}</title></rect>`;
        })
        .join('') + `<text x="${40 + i * (barWidth + 30) + barWidth / 2}" y="${height + 16}" text-anchor="middle">${year}</text>`;
    })
    .join('');
  const legend = statuses.map((s) => `<span style="display:inline-block;margin-right:12px"><span style="display:inline-block;width:10px;height:10px;background:${colour(s)}"></span> ${s}</span>`).join('');
  const quotaCharts = Object.entries(report.quotaByYear)
    .map(([year, rows]) => {
      const districts = rows.filter((r) => r.districtCode !== 'city');
      const maxCap = Math.max(1, ...districts.map((r) => r.cap));
      const bars = districts
        .map((r, i) => {
          const x = 40 + i * 34;
          const capH = (r.cap / maxCap) * 120;
          const usedH = (r.used / maxCap) * 120;
          return `<rect x="${x}" y="${130 - capH}" width="24" height="${capH}" fill="#d9d9d9"><title>${TIANJIN_DISTRICTS[r.districtCode]} cap ${r.cap}</title></rect><rect x="${x + 4}" y="${130 - usedH}" width="16" height="${usedH}" fill="#1677ff"><title>${TIANJIN_DISTRICTS[r.districtCode]} used ${r.used} of ${r.cap}</title></rect><text x="${x + 12}" y="146" text-anchor="middle" font-size="9">${(TIANJIN_DISTRICTS[r.districtCode] ?? r.districtCode).slice(0, 2)}</text>`;
        })
        .join('');
      return `<h3>${year}：名额使用（蓝）/ 上限（灰）</h3><svg width="${60 + districts.length * 34}" height="155">${bars}</svg>`;
    })
    .join('');
  const invariants = Object.entries(report.invariants).map(([name, v]) => `<li>${name}: ${v.length === 0 ? '成立' : `<b>不成立</b>（${v.length}）`}</li>`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>生命周期模拟</title>
<style>body{font-family:sans-serif;margin:24px}svg text{font-size:12px}</style></head><body>
<h1>生命周期模拟：${report.options.households} 户，${report.options.years} 年（${report.options.startYear} 起），种子 ${report.options.seed}</h1>
<h2>各年案件结果（按申请年度）</h2><div>${legend}</div><svg width="${60 + years.length * (barWidth + 30)}" height="${height + 24}">${outcomeBars}</svg>
<h2>各区名额（C-QUOTA）</h2>${quotaCharts}
<h2>时钟触发</h2><ul>${Object.entries(report.fired).map(([a, n]) => `<li>${a}: ${n}</li>`).join('')}</ul>
<p>逾期步骤：${report.overdueSteps}</p>
<h2>不变量</h2><ul>${invariants}</ul>
</body></html>
`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
