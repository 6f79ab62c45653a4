/**
 * `npm run topology -- [--households 20000] [--chunk-size 500] [--concurrency 4] [--seed 7] [--keep] [--compiled]`:
 * the production topology on this machine (scripts/topology-run.ts) — PostgreSQL, the Temporal
 * server persisting to it, the API and two workers in processes of their own — with a worker
 * killed in the middle of a tiering run and of a case decision. Prints the figures; exits 1 when an
 * invariant broke. Everything lives in .data/topology (removed at the end unless --keep). With
 * --compiled the API and the workers run from `npm run build`'s dist/ with plain node, as in the image.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTopology, type RunFigures } from './topology-run.js';

const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '20000' },
    'chunk-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    seed: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
    compiled: { type: 'boolean', default: false },
  },
});
const households = Number(values.households);
const chunkSize = Number(values['chunk-size']);
const concurrency = Number(values.concurrency);
const chunks = Math.ceil(households / chunkSize);
if (!Number.isInteger(households) || households < 500 || !Number.isInteger(chunkSize) || chunkSize < 1 || !Number.isInteger(concurrency) || concurrency < 2 || concurrency > 8 || chunks < 8 || chunks > 400) {
  console.error('usage: npm run topology -- [--households N >= 500] [--chunk-size C] [--concurrency 2-8] [--seed S] [--keep]; N / C must make 8 to 400 chunks');
  process.exit(2);
}

const started = Date.now();
console.log(`topology: ${households} households in ${chunks} chunks of ${chunkSize}, ${concurrency} at a time; the API and workers ${values.compiled ? 'compiled (dist/, plain node)' : 'from the sources (tsx)'}`);
const figures = await runTopology({
  households,
  chunkSize,
  concurrency,
  seed: Number(values.seed),
  keep: values.keep,
  compiled: values.compiled,
  dataDir: resolve(fileURLToPath(new URL('..', import.meta.url)), '.data/topology'),
  log: (line) => console.log(line),
});

const spread = (run: RunFigures) =>
  Object.entries(run.chunksByWorker)
    .map(([pid, count]) => `worker ${pid}: ${count}`)
    .join(', ');
const runLine = (run: RunFigures) =>
  `run ${run.runId}: ${run.status} in ${run.seconds.toFixed(1)} s; households ${run.households}, processed ${run.processed}, ` +
  `result rows ${run.results} (${run.distinctHouseholds} distinct), chunk rows ${run.chunkRows} of ${run.chunksTotal} holding ${run.chunkRowHouseholds}; ` +
  `chunks by worker: ${spread(run)}; tiers ${JSON.stringify(run.countsByTier)}`;
const answers = (a: { requests: number; byStatus: Record<string, number>; slowestMs: number }) =>
  `${a.requests} requests, ${Object.entries(a.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}; slowest ${a.slowestMs} ms`;
const redone = figures.run2.placements.filter((p) => figures.kill.chunksRunning.includes(p.chunk));

console.log('\ntopology figures');
console.log(`  temporal        server on PostgreSQL (${figures.temporal.databases.history}, ${figures.temporal.databases.visibility}), ${figures.temporal.historyShards} history shards, at ${figures.temporal.address}`);
console.log(`  set-up          schema ${(figures.timings.temporalSchema! / 1000).toFixed(1)} s, server up ${(figures.timings.temporalStart! / 1000).toFixed(1)} s`);
console.log(`  workers         ${figures.workers.join(' and ')} (process IDs)`);
console.log(`  ${runLine(figures.run1)}`);
console.log(`  ${runLine(figures.run2)}`);
console.log(
  `  kill            worker ${figures.kill.worker} (SIGKILL) while it tiered chunk(s) ${figures.kill.chunksRunning.join(', ')}, ` +
    `${figures.kill.processedAtKill} households stored; run complete ${figures.kill.secondsToComplete.toFixed(1)} s later`,
);
console.log(`  redone          ${redone.map((p) => `chunk ${p.chunk} by worker ${p.worker} on attempt ${p.attempt}`).join('; ')}`);
console.log(
  `  decision        case ${figures.decision.caseId}: answers ${figures.decision.answers.join(', ')} in ${figures.decision.ms} ms; ` +
    `review_accepted ${figures.decision.reviewAccepted}×, status ${figures.decision.status}, repeated audit actions: ${figures.decision.duplicateAuditActions.join(', ') || 'none'}`,
);
console.log(`  API during kill ${answers(figures.apiDuringKill)}`);
console.log(`  API overall     ${answers(figures.apiOverall)}`);
console.log(`  temporal rows   ${figures.temporalRows.executions} executions, ${figures.temporalRows.historyNodes} history nodes, ${figures.temporalRows.visibility} visibility rows`);
console.log(`  total           ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(figures.violations.length === 0 ? '  invariants      all held' : `  invariants      ${figures.violations.length} broken:\n    ${figures.violations.join('\n    ')}`);
process.exit(figures.violations.length === 0 ? 0 : 1);
