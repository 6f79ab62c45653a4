import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';

const folder = new URL('../histories/', import.meta.url);
const histories = readdirSync(folder).filter((name) => name.endsWith('.json'));

/**
 * Histories recorded from earlier versions (RECORD_HISTORIES=1 npm test) must replay on the
 * current workflow code, or cases already running would break when the worker is upgraded.
 */
describe('replay of recorded case histories', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('%s replays without nondeterminism', async (name) => {
    const history = historyFromJSON(JSON.parse(readFileSync(new URL(name, folder), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, name);
  });
});
