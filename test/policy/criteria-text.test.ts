import { expect, it } from 'vitest';
import { CRITERION_TEXT } from '../../policy/criteria-text.js';
import { CATEGORY_CRITERIA, DEPARTMENT_RECOMMENDATION_CRITERIA } from '../../policy/recognition-case.js';

it('words every category criterion, and only those', () => {
  expect(Object.keys(CRITERION_TEXT).sort()).toEqual(Object.values(CATEGORY_CRITERIA).flat().sort());
  for (const criterion of DEPARTMENT_RECOMMENDATION_CRITERIA) expect(CRITERION_TEXT[criterion]).toBe('经相关部门推荐的');
});
