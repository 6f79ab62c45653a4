import { useEffect, useRef } from 'react';
import { api, unwrap } from '../api/client';
import { useApi } from './useApi';

/** Statuses whose step has a due date. */
const WAITING_STATUSES = new Set(['awaiting_consent', 'under_review', 'awaiting_information', 'on_site_verification', 'soliciting_opinions', 'publicity']);

/**
 * A case and its audit trail. The case is read from its workflow, the trail from the records the
 * workflow writes a moment later, so the trail is read again until it has caught up with the case.
 */
export function useCase(caseId: string) {
  const view = useApi(() => unwrap(api.GET('/cases/{caseId}', { params: { path: { caseId } } })), [caseId]);
  const events = useApi(() => unwrap(api.GET('/cases/{caseId}/events', { params: { path: { caseId } } })), [caseId]);
  const caseSeq = view.data?.seq ?? 0;
  const trailSeq = Math.max(0, ...(events.data ?? []).map((event) => event.seq ?? 0));
  const trailBehind = !events.loading && events.data !== undefined && trailSeq < caseSeq;
  // A step that waits for someone gets its due date from the working-day calendar just after it opens.
  const caseBehind =
    !view.loading && view.data !== undefined && (trailSeq > caseSeq || (view.data.status !== undefined && WAITING_STATUSES.has(view.data.status) && !view.data.deadline));
  const { reload: reloadEvents } = events;
  const { reload: reloadView } = view;
  // Bounded: a trail that never catches up (a stalled worker) is left as it is, not polled forever.
  const catchUps = useRef(0);
  useEffect(() => {
    if ((!trailBehind && !caseBehind) || catchUps.current >= 30) return;
    catchUps.current += 1;
    const timer = setTimeout(() => (caseBehind ? reloadView() : reloadEvents()), 700);
    return () => clearTimeout(timer);
  }, [trailBehind, caseBehind, trailSeq, caseSeq, reloadEvents, reloadView]);
  const reload = () => {
    catchUps.current = 0;
    view.reload();
    events.reload();
  };
  return { view, events, reload };
}
