import type { Db } from '../db/client.js';
import { createCaseActivities } from './case-records.js';

export interface ActivityDeps {
  db: Db;
}

/** Every activity the worker registers, built from its dependencies so tests can pass their own. */
export function createActivities(deps: ActivityDeps) {
  return { ...createCaseActivities(deps) };
}
