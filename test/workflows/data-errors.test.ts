import { describe, expect, it } from 'vitest';
import { DATA_ERROR, failingForGoodOnRefusedData } from '../../activities/data-errors.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { DEFAULT_CASE_SETTINGS, type ApplicationInput } from '../../policy/recognition-case.js';
import { RECOGNITION_WORKFLOW_TYPE, recognitionCaseId } from '../../workflows/recognition-case/contract.js';
import { failedActivityAttempts, type FailedAttempt } from '../support/activity-attempts.js';
import { caseWorker, registerHousehold, timeSkippingStack } from '../support/stack.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../../policy/vocabulary.js';

const { env, database } = await timeSkippingStack();

describe('data the database refuses', () => {
  it('fails the activity that writes it once and for good, instead of retrying it forever', async () => {
    const { worker, taskQueue } = await caseWorker(env, database);
    const { uscc, actor } = await registerHousehold(database, '120104');
    const year = yearOf(cstDateOf(await env.currentTimeMs()));
    // Past the API's schemas (which refuse it with 400): a NUL reaching the case's first audit record.
    const input: ApplicationInput = {
      uscc,
      year,
      category: 'quality',
      claimedCriteria: ['Q2'],
      evidenceRefs: ['certificate\u0000.pdf'],
      householdName: '测试个体户',
      districtCode: '120104',
      applicant: actor,
      submittedAt: new Date(await env.currentTimeMs()).toISOString(),
      settings: DEFAULT_CASE_SETTINGS,
      termSettings: DEFAULT_RECOGNITION_TERM_SETTINGS,
    };
    const handle = await env.client.workflow.start(RECOGNITION_WORKFLOW_TYPE, { taskQueue, workflowId: recognitionCaseId(uscc, year), args: [input] });
    const failure = await worker.runUntil(async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const { events } = await handle.fetchHistory();
        const failed = failedActivityAttempts(events ?? []);
        if (failed.length > 0) return failed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('no activity failed');
    });
    // One attempt, not one a second for ever.
    expect(failure).toHaveLength(1);
    const [{ activityType, attempt, failure: info }] = failure as [FailedAttempt];
    expect({ activityType, attempt }).toEqual({ activityType: 'saveCase', attempt: 1 });
    expect(info.applicationFailureInfo).toMatchObject({ type: DATA_ERROR, nonRetryable: true });
    expect(info.message).toMatch(/^saveCase: the database refused the data \(SQLSTATE 22/);
  });

  it('leaves other failures retryable', async () => {
    const lost = Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
    const serialization = Object.assign(new Error('could not serialize access'), { code: '40001' });
    const activities = failingForGoodOnRefusedData({
      lose: async () => {
        throw lost;
      },
      conflict: async () => {
        throw serialization;
      },
      nested: async () => {
        throw new Error('query failed', { cause: Object.assign(new Error('value too long'), { code: '22001' }) });
      },
    });
    await expect(activities.lose()).rejects.toBe(lost);
    await expect(activities.conflict()).rejects.toBe(serialization);
    await expect(activities.nested()).rejects.toMatchObject({ type: DATA_ERROR, nonRetryable: true, message: expect.stringMatching(/SQLSTATE 22001\): value too long$/) });
  });
});
