/**
 * The failure type of an activity whose data the database refused (activities/data-errors.ts).
 * A leaf of its own: workflows name it in their retry policies, and their bundle takes this
 * string, not the activity code that throws it.
 */
export const DATA_ERROR = 'DataError';
