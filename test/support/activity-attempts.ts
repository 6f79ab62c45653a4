import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface FailedAttempt {
  activityType: string;
  attempt: number;
  failure: temporal.api.failure.v1.IFailure;
}

/**
 * The activity attempts a history records as failed, whether the activity was queued (a failed
 * event naming its scheduled and started events) or local (a marker carrying its failure).
 */
export function failedActivityAttempts(events: readonly HistoryEvent[]): FailedAttempt[] {
  const byId = new Map(events.map((event) => [String(event.eventId), event]));
  return events.flatMap((event): FailedAttempt[] => {
    const queued = event.activityTaskFailedEventAttributes;
    if (queued) {
      const scheduled = byId.get(String(queued.scheduledEventId))?.activityTaskScheduledEventAttributes;
      const started = byId.get(String(queued.startedEventId))?.activityTaskStartedEventAttributes;
      return [{ activityType: scheduled?.activityType?.name ?? '', attempt: started?.attempt ?? 0, failure: queued.failure! }];
    }
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity' && marker.failure) {
      const data = JSON.parse(Buffer.from(marker.details!['data']!.payloads![0]!.data!).toString('utf8')) as { activity_type: string; attempt: number };
      return [{ activityType: data.activity_type, attempt: data.attempt, failure: marker.failure }];
    }
    return [];
  });
}
