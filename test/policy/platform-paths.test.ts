import { describe, expect, it } from 'vitest';
import { trailPagePath } from '../../policy/platform-paths.js';

describe('the page a notification leads to', () => {
  const caseId = 'recognition-92120104MA06B7Q405-2026';
  const objectionId = 'tier-objection-92120104MA06B7Q405-2026';
  it.each([
    ['household', caseId, `/household/cases/${caseId}`],
    ['district', caseId, `/district/cases/${caseId}`],
    ['department', caseId, `/department/cases/${caseId}`],
    ['city', caseId, `/city/cases/${caseId}`],
    ['public', caseId, null],
    ['household', objectionId, '/household/objection'],
    ['city', objectionId, '/city/objections'],
    ['district', objectionId, null],
  ])('%s, %s → %s', (role, trailId, path) => {
    expect(trailPagePath(role, trailId)).toBe(path);
  });
});
