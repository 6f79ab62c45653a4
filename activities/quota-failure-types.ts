/**
 * The failure types the quota's activities throw (activities/quota.ts). A leaf of its own, as
 * data-error-type.ts: the case workflow tells them apart, and its bundle takes these strings,
 * not the activity code that throws them.
 */

/** No quota can be set for the year: no tiering run of that year is in force. */
export const QUOTA_NOT_SET_ERROR = 'QuotaNotSet';
/** A request the quota cannot serve as asked (bad input, a released place taken again). */
export const QUOTA_REQUEST_ERROR = 'QuotaRequestRefused';
