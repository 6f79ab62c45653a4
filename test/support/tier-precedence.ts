import type { TierDecisionStanding } from '../../policy/tiering-run.js';

export const standing = (year: number, asOf: string, source: TierDecisionStanding['source']): TierDecisionStanding => ({ year, asOf, source });

/**
 * The precedence of tier decisions (T-RUN, T-OBJ), one row per rule. The same rows, and every
 * combination of their values, go through the SQL in test/db/tier-precedence.test.ts.
 */
export const PRECEDENCE_TABLE: ReadonlyArray<[rule: string, decision: TierDecisionStanding, held: TierDecisionStanding | null, replaces: boolean]> = [
  ['a first tier: the household has none', standing(2025, '2025-08-01', 'run'), null, true],
  ['a later year replaces a run', standing(2025, '2025-01-01', 'run'), standing(2024, '2024-12-31', 'run'), true],
  ['a later year replaces an upheld objection', standing(2025, '2025-08-01', 'run'), standing(2024, '2024-08-01', 'objection'), true],
  ['an earlier year never replaces', standing(2024, '2024-12-31', 'objection'), standing(2025, '2025-01-01', 'run'), false],
  ['the same year as of a later date replaces', standing(2025, '2025-09-01', 'on_demand'), standing(2025, '2025-08-01', 'run'), true],
  ['the same year as of the same date replaces (a run done again)', standing(2025, '2025-08-01', 'run'), standing(2025, '2025-08-01', 'run'), true],
  ['the same year as of an earlier date does not replace', standing(2025, '2025-07-31', 'run'), standing(2025, '2025-08-01', 'on_demand'), false],
  ['an upheld objection stands against a run of its year (T-OBJ)', standing(2025, '2025-09-01', 'run'), standing(2025, '2025-08-01', 'objection'), false],
  ['an upheld objection stands against on-demand tiering of its year (T-OBJ)', standing(2025, '2025-09-01', 'on_demand'), standing(2025, '2025-08-01', 'objection'), false],
  ['another objection decision replaces an upheld objection', standing(2025, '2025-08-01', 'objection'), standing(2025, '2025-08-01', 'objection'), true],
  ['an objection decision replaces a run of its year', standing(2025, '2025-08-01', 'objection'), standing(2025, '2025-08-01', 'run'), true],
  ['an objection decision as of an earlier date does not replace', standing(2025, '2025-07-01', 'objection'), standing(2025, '2025-08-01', 'on_demand'), false],
];
