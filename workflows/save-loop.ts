import { ApplicationFailure, condition } from '@temporalio/workflow';
import { DECISION_NOT_RECORDED_ERROR } from '../policy/vocabulary.js';

/** What PostgreSQL refused for good: the events, and what went wrong in words safe to record. */
export interface Refusal<Event> {
  refused: Event[];
  error: string;
}

/**
 * A workflow's audit events, saved in order by its main loop alone (one writer). A handler that
 * decided something waits until its event is saved, or learns that PostgreSQL refused it for
 * good, and so that the decision did not happen (DecisionNotRecorded).
 */
export class SaveLoop<Event extends { seq: number }> {
  private unsaved: Event[];
  private savedSeq: number;
  private refusals = 0;
  private lastRefusal = '';

  /** `unsaved`: the events of the run's opening; `savedSeq`: the last event already saved. */
  constructor(unsaved: Event[], savedSeq: number) {
    this.unsaved = unsaved;
    this.savedSeq = savedSeq;
  }

  push(...events: Event[]): void {
    this.unsaved.push(...events);
  }

  /** Whether the main loop has events to save. */
  get pending(): boolean {
    return this.unsaved.length > 0;
  }

  isSaved(seq: number): boolean {
    return this.savedSeq >= seq;
  }

  /** Waits until `done()`, or until a refusal comes meanwhile; answers whether one came. */
  async waitUnlessRefused(done: () => boolean): Promise<boolean> {
    const mark = this.refusals;
    await condition(() => done() || this.refusals !== mark);
    return this.refusals !== mark;
  }

  /** A handler's wait for its decision, event `seq`, to be saved; refused meanwhile, it did not happen. */
  async saved(seq: number): Promise<void> {
    if (await this.waitUnlessRefused(() => this.isSaved(seq))) {
      throw ApplicationFailure.create({ type: DECISION_NOT_RECORDED_ERROR, message: this.lastRefusal, nonRetryable: true });
    }
  }

  /**
   * The main loop's one write: saves the pending events. A failure that `refusedForGood` puts into
   * words (it rethrows any other) refuses them together with every event decided meanwhile, which
   * built on them, and tells the handlers waiting; without it, every failure fails the workflow.
   */
  async saveNext(save: (events: Event[]) => Promise<void>, refusedForGood?: (err: unknown) => string): Promise<Refusal<Event> | null> {
    const events = this.unsaved;
    this.unsaved = [];
    const error = await save(events).then(() => null, refusedForGood);
    if (error === null) {
      this.savedSeq = events[events.length - 1]!.seq;
      return null;
    }
    const refused = [...events, ...this.unsaved];
    this.unsaved = [];
    this.refusals += 1;
    this.lastRefusal = `未能记录，视为未发生：${error}`;
    return { refused, error };
  }
}
