// The production topology, short: the Temporal server built from go.temporal.io/server on
// PostgreSQL (schema by temporal-sql-tool), the API and two workers in processes of their own,
// one worker killed (SIGKILL) while it tiers chunks of a run and holds a case whose decision is on
// its way. `npm run topology` is the same on a larger city.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTopology } from '../../scripts/topology-run.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('the production topology', () => {
  it('spreads a run over two workers; a worker killed mid-run and mid-case loses and duplicates nothing; the API answers throughout', { timeout: 300_000 }, async () => {
    const figures = await runTopology({
      households: 3_000,
      chunkSize: 150,
      concurrency: 4,
      seed: 11,
      keep: false,
      dataDir: join(repositoryRoot, '.data', `topology-test-${process.pid}`),
    });

    expect(figures.violations).toEqual([]);
    const [first, second] = figures.workers as [number, number];
    const survivor = figures.kill.worker === first ? second : first;

    // Both workers tiered chunks of the baseline run, and every chunk once.
    for (const run of [figures.run1, figures.run2]) {
      expect(run).toMatchObject({ status: 'completed', tiersApplied: true, chunksTotal: 20, chunkRows: 20 });
      expect(run.households).toBe(figures.registeredHouseholds);
      expect(run.results).toBe(figures.registeredHouseholds);
      expect(run.distinctHouseholds).toBe(figures.registeredHouseholds);
      expect(run.chunkRowHouseholds).toBe(figures.registeredHouseholds);
      expect(run.placements.map((p) => p.chunk)).toEqual([...Array(20).keys()]);
    }
    expect(figures.run1.chunksByWorker[first]).toBeGreaterThan(0);
    expect(figures.run1.chunksByWorker[second]).toBeGreaterThan(0);
    expect(figures.run2.countsByTier).toEqual(figures.run1.countsByTier);

    // The killed worker's chunks were stored by the other, on a later attempt.
    expect(figures.kill.chunksRunning.length).toBeGreaterThan(0);
    expect(figures.kill.processedAtKill).toBeLessThan(figures.registeredHouseholds);
    for (const chunk of figures.kill.chunksRunning) {
      const placement = figures.run2.placements.find((p) => p.chunk === chunk)!;
      expect(placement.worker).toBe(survivor);
      expect(placement.attempt).toBeGreaterThan(1);
    }

    // The decision on its way when the worker died was answered, and taken once.
    expect(figures.decision.answers.at(-1)).toBe(200);
    expect(figures.decision.reviewAccepted).toBe(1);
    expect(figures.decision.duplicateAuditActions).toEqual([]);
    expect(figures.decision.status).toBe('on_site_verification');

    // The API answered every poll, during the kill as before it.
    expect(figures.apiDuringKill.requests).toBeGreaterThan(0);
    expect(Object.keys(figures.apiDuringKill.byStatus)).toEqual(['200']);
    expect(Object.keys(figures.apiOverall.byStatus)).toEqual(['200']);

    // Temporal kept it all in its own PostgreSQL databases.
    expect(figures.temporal.databases).toEqual({ history: 'temporal', visibility: 'temporal_visibility' });
    expect(figures.temporalRows.executions).toBeGreaterThanOrEqual(4);
  });
});
