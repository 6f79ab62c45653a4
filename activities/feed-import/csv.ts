/**
 * A streaming RFC 4180 reader: records with the physical line each begins on, read from a
 * stream of UTF-8 bytes (a leading BOM is dropped) or strings, with CRLF or LF line ends.
 *
 * A record that breaks the quoting rules (a quote inside an unquoted field, text after a
 * closing quote, a quoted field that never closes) comes out as an error for its line, and
 * reading resumes on the next physical line, so one bad line costs one record. A record with
 * bytes that are not UTF-8 is an error too, rather than a value with U+FFFD in it.
 *
 * Speed matters (a city's registrations are a million lines): the reader works on whole
 * decoded chunks, takes a line without quotes with one `indexOf` and one `split`, and walks
 * character by character only through records that contain quotes. Records come out in
 * batches, one per chunk, so the caller pays one await per chunk rather than per record.
 * Blank lines are skipped.
 */

import { visible } from '../../policy/text.js';

export type CsvRecord = { line: number; fields: string[]; error?: undefined } | { line: number; fields?: undefined; error: string };

/**
 * The longest record read: a row of the data contract is far shorter (its longest text cell is
 * 2,000 characters). A longer one is rejected for its line; a quoted field that runs past it is
 * taken for an unclosed quote.
 */
export const MAX_RECORD_CHARS = 1 << 16;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const REPLACEMENT_CHARACTER = '\uFFFD';
const BOM = '\uFEFF';
const UNKNOWN = -2;

/** Every record of the input, in batches (one per input chunk, possibly empty). */
export async function* csvBatches(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<CsvRecord[]> {
  const reader = new CsvReader();
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === BOM.charCodeAt(0)) text = text.slice(1);
      first = false;
    }
    yield reader.push(text, false);
  }
  yield reader.push(decoder.decode(), true);
}

/** Every record of the input, one at a time: convenient where speed does not matter. */
export async function* csvRecords(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<CsvRecord> {
  for await (const batch of csvBatches(input)) yield* batch;
}

class CsvReader {
  private buffer = '';
  private pos = 0;
  /** Physical line number of `buffer[pos]`. */
  private line = 1;
  private nextQuote = UNKNOWN;
  private nextReplacement = UNKNOWN;
  /** Chunks that arrived while an incomplete record waits for more, not yet joined to the buffer. */
  private arrived: string[] = [];
  private arrivedChars = 0;
  /**
   * The unread characters needed before an incomplete record is read again: twice what it had
   * last time, so that a long record is re-read a bounded number of times and costs linear time
   * however thin the chunks it comes in.
   */
  private readAgainAt = 0;
  /** Dropping the rest of a physical line whose record was too long, up to its line feed. */
  private skippingLine = false;

  push(text: string, final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    if (this.skippingLine) {
      const newline = text.indexOf('\n');
      if (newline < 0) return records;
      this.skippingLine = false;
      this.line++;
      text = text.slice(newline + 1);
    }
    this.arrived.push(text);
    this.arrivedChars += text.length;
    const unread = this.buffer.length - this.pos + this.arrivedChars;
    if (!final && unread < this.readAgainAt) return records;
    this.buffer = (this.pos < this.buffer.length ? this.buffer.slice(this.pos) : '') + this.arrived.join('');
    this.arrived = [];
    this.arrivedChars = 0;
    this.readAgainAt = 0;
    this.pos = 0;
    this.nextQuote = UNKNOWN;
    this.nextReplacement = UNKNOWN;
    while (this.pos < this.buffer.length) {
      if (this.readRecord(records, final)) continue;
      const waiting = this.buffer.length - this.pos;
      if (waiting <= MAX_RECORD_CHARS) {
        this.readAgainAt = 2 * waiting;
        break;
      }
      this.tooLong(records, this.buffer.indexOf('\n', this.pos));
    }
    return records;
  }

  /**
   * Rejects the record at `pos` for its size and resumes after the line feed at `newline`, or,
   * when its line has not ended yet, drops what follows until it has.
   */
  private tooLong(records: CsvRecord[], newline: number): void {
    records.push({ line: this.line, error: `the record is longer than ${MAX_RECORD_CHARS} characters` });
    if (newline < 0) {
      this.skippingLine = true;
      this.buffer = '';
      this.pos = 0;
      return;
    }
    this.line += 1 + countLineFeeds(this.buffer, this.pos, newline);
    this.pos = newline + 1;
  }

  /** Reads the record at `pos` into `records`; false when it is not complete yet. */
  private readRecord(records: CsvRecord[], final: boolean): boolean {
    const { buffer, pos } = this;
    let newline = buffer.indexOf('\n', pos);
    if (newline < 0) {
      if (!final) return false;
      newline = buffer.length;
    }
    if (this.nextQuote !== -1 && this.nextQuote < pos) this.nextQuote = buffer.indexOf('"', pos);
    if (this.nextQuote === -1 || this.nextQuote > newline) {
      const end = newline > pos && buffer.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      if (end - pos > MAX_RECORD_CHARS) {
        this.tooLong(records, newline);
        return true;
      }
      if (end > pos) {
        const text = buffer.slice(pos, end);
        records.push(this.containsReplacement(pos, end) ? this.invalidUtf8() : { line: this.line, fields: text.split(',') });
      }
      this.pos = newline + 1;
      this.line++;
      return true;
    }
    return this.readQuotedRecord(records, final);
  }

  /** The slow path, for a record with a quote somewhere in it. */
  private readQuotedRecord(records: CsvRecord[], final: boolean): boolean {
    const { buffer } = this;
    const start = this.pos;
    const fields: string[] = [];
    let i = start;
    for (;;) {
      if (buffer.charCodeAt(i) === QUOTE) {
        const opening = i;
        let value = '';
        let from = i + 1;
        for (;;) {
          const quote = buffer.indexOf('"', from);
          if (quote < 0 || (quote === buffer.length - 1 && !final)) {
            if (!final && buffer.length - start <= MAX_RECORD_CHARS) return false;
            return this.malformed(records, start, opening, 'a quoted field is never closed', true);
          }
          if (buffer.charCodeAt(quote + 1) === QUOTE) {
            value += buffer.slice(from, quote + 1);
            from = quote + 2;
          } else {
            value += buffer.slice(from, quote);
            i = quote + 1;
            break;
          }
        }
        fields.push(value);
        const next = buffer.charCodeAt(i);
        if (next === COMMA) {
          i++;
          continue;
        }
        if (next === LF) break;
        if (next === CR && buffer.charCodeAt(i + 1) === LF) {
          i++;
          break;
        }
        if (i >= buffer.length || (next === CR && i + 1 >= buffer.length)) {
          if (!final) return false;
          i = buffer.length;
          break;
        }
        return this.malformed(records, start, i, `a closing quote is followed by "${visible(buffer.charAt(i))}" instead of a comma or the line end`, final);
      }
      let j = i;
      while (j < buffer.length) {
        const c = buffer.charCodeAt(j);
        if (c === COMMA || c === LF) break;
        if (c === QUOTE) return this.malformed(records, start, j, 'a quote inside a field that does not begin with a quote', final);
        j++;
      }
      if (j >= buffer.length && !final) return false;
      const endsLine = j >= buffer.length || buffer.charCodeAt(j) === LF;
      fields.push(buffer.slice(i, endsLine && j > i && buffer.charCodeAt(j - 1) === CR ? j - 1 : j));
      i = j;
      if (endsLine) break;
      i++;
    }
    // `i` is at the record's line feed, or at the end of the input.
    if (i - start > MAX_RECORD_CHARS) {
      this.tooLong(records, i < buffer.length ? i : -1);
      return true;
    }
    const line = this.line;
    this.line += 1 + countLineFeeds(buffer, start, i);
    this.pos = i + 1;
    records.push(this.containsReplacement(start, i) ? { line, error: INVALID_UTF8 } : { line, fields });
    return true;
  }

  /**
   * Reports the record that begins at `start` as malformed, and resumes after the physical
   * line on which the fault at `faultAt` lies; false while that line's end has not arrived yet
   * (unless `now`: the record is already too long to wait for).
   */
  private malformed(records: CsvRecord[], start: number, faultAt: number, reason: string, now: boolean): boolean {
    const newline = this.buffer.indexOf('\n', faultAt);
    if (newline < 0 && !now) return false;
    records.push({ line: this.line, error: `malformed CSV: ${reason}` });
    const resumeAt = newline < 0 ? this.buffer.length : newline + 1;
    this.line += countLineFeeds(this.buffer, start, resumeAt);
    if (newline < 0) this.line++;
    this.pos = resumeAt;
    return true;
  }

  private containsReplacement(from: number, to: number): boolean {
    if (this.nextReplacement !== -1 && this.nextReplacement < from) {
      this.nextReplacement = this.buffer.indexOf(REPLACEMENT_CHARACTER, from);
    }
    return this.nextReplacement !== -1 && this.nextReplacement < to;
  }

  private invalidUtf8(): CsvRecord {
    return { line: this.line, error: INVALID_UTF8 };
  }
}

const INVALID_UTF8 = 'the line is not valid UTF-8';

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
