import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../errors';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads of a page part in a row that a "try again shortly" refusal repeats by itself, before it is left to the reader's reload. */
const AUTOMATIC_RETRIES = 3;

/**
 * How long to wait before loading again after `error`, when it says to try again shortly: the
 * API's 503 while PostgreSQL or Temporal is away or slow, with its Retry-After (1–30 s).
 */
function retryAfterMs(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 503) return null;
  const seconds = Number(error.body.details?.retryAfterSeconds);
  return Math.min(Math.max(Number.isFinite(seconds) ? seconds : 5, 1), 30) * 1000;
}

/**
 * Loads once per change of `deps`, and again on reload(); a stale answer never overwrites a newer
 * one. A 503 is shown and loaded again after its Retry-After, up to AUTOMATIC_RETRIES times in a row
 * for the same inputs.
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const retries = useRef(0);
  // Declared before the load below, so that a read of other inputs starts with its own retries.
  useEffect(() => {
    retries.current = 0;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => {
        if (!live) return;
        retries.current = 0;
        setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!live) return;
        setState({ data: undefined, error, loading: false });
        const wait = retryAfterMs(error);
        if (wait !== null && retries.current < AUTOMATIC_RETRIES) {
          retries.current += 1;
          retry = setTimeout(() => setGeneration((g) => g + 1), wait);
        }
      },
    );
    return () => {
      live = false;
      clearTimeout(retry);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => {
    retries.current = 0;
    setGeneration((g) => g + 1);
  }, []);
  return { ...state, reload };
}
