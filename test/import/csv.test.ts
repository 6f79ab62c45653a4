import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, csvBatches, csvRecords, type CsvRecord } from '../../activities/feed-import/csv.js';

async function read(chunks: (string | Buffer)[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(Readable.from(chunks, { objectMode: true }))) records.push(record);
  return records;
}

const ok = (line: number, ...fields: string[]): CsvRecord => ({ line, fields });

/** Every way of cutting the text in two, and one character at a time: the reader must not care. */
async function expectSameInAnyChunking(text: string, expected: CsvRecord[]): Promise<void> {
  expect(await read([text])).toEqual(expected);
  expect(await read([...text])).toEqual(expected);
  for (let cut = 1; cut < text.length; cut++) {
    expect(await read([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
  }
}

describe('reading CSV (RFC 4180)', () => {
  it.each<[string, string, CsvRecord[]]>([
    ['LF line ends', 'a,b\n1,2\n', [ok(1, 'a', 'b'), ok(2, '1', '2')]],
    ['CRLF line ends', 'a,b\r\n1,2\r\n', [ok(1, 'a', 'b'), ok(2, '1', '2')]],
    ['no line end after the last record', 'a,b\n1,2', [ok(1, 'a', 'b'), ok(2, '1', '2')]],
    ['empty fields', ',a,,\n', [ok(1, '', 'a', '', '')]],
    ['a quoted field with a comma', 'a,"b,c",d\n', [ok(1, 'a', 'b,c', 'd')]],
    ['doubled quotes', '"say ""hi""",x\n', [ok(1, 'say "hi"', 'x')]],
    ['an empty quoted field', '"",x\n', [ok(1, '', 'x')]],
    ['a quoted last field before CRLF', 'a,"b"\r\nc,d\r\n', [ok(1, 'a', 'b'), ok(2, 'c', 'd')]],
    ['a quoted field spanning lines', 'a,"line 1\nline 2",b\nc,d\n', [ok(1, 'a', 'line 1\nline 2', 'b'), ok(3, 'c', 'd')]],
    ['a quoted CRLF inside a field', '"x\r\ny"\r\nz\r\n', [ok(1, 'x\r\ny'), ok(3, 'z')]],
    ['blank lines, skipped but counted', 'a\n\n\r\nb\n', [ok(1, 'a'), ok(4, 'b')]],
    ['Chinese text', '名称,区\n南开区泥人张工艺坊,南开区\n', [ok(1, '名称', '区'), ok(2, '南开区泥人张工艺坊', '南开区')]],
  ])('reads %s', async (_case, text, expected) => {
    await expectSameInAnyChunking(text, expected);
  });

  it('drops a leading UTF-8 byte order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('uscc,year\n1,2\n')]);
    expect(await read([bytes])).toEqual([ok(1, 'uscc', 'year'), ok(2, '1', '2')]);
    expect(await read([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual([ok(1, 'uscc', 'year'), ok(2, '1', '2')]);
  });

  it('decodes a character split between chunks', async () => {
    const bytes = Buffer.from('区,天津\n');
    const pieces = [...bytes].map((byte) => Buffer.from([byte]));
    expect(await read(pieces)).toEqual([ok(1, '区', '天津')]);
  });

  it('rejects a line that is not UTF-8 and reads on', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n'), Buffer.from([0x63, 0xff, 0x2c, 0x64, 0x0a]), Buffer.from('e,f\n')]);
    expect(await read([bytes])).toEqual([ok(1, 'a', 'b'), { line: 2, error: 'the line is not valid UTF-8' }, ok(3, 'e', 'f')]);
  });
});

describe('malformed quoting', () => {
  it.each<[string, string, CsvRecord[]]>([
    [
      'a quote inside an unquoted field',
      'a,b"c,d\ne,f\n',
      [{ line: 1, error: 'malformed CSV: a quote inside a field that does not begin with a quote' }, ok(2, 'e', 'f')],
    ],
    [
      'text after a closing quote',
      '"a"b,c\ne,f\n',
      [{ line: 1, error: 'malformed CSV: a closing quote is followed by "b" instead of a comma or the line end' }, ok(2, 'e', 'f')],
    ],
    [
      'a fault on the second line of a record',
      'a,"x\ny"z\ne,f\n',
      [{ line: 1, error: expect.stringMatching(/closing quote is followed by "z"/) as unknown as string }, ok(3, 'e', 'f')],
    ],
    [
      'a quoted field never closed',
      'a,b\n"c,d\ne,f\n',
      [ok(1, 'a', 'b'), { line: 2, error: 'malformed CSV: a quoted field is never closed' }, ok(3, 'e', 'f')],
    ],
  ])('reports %s for its line and reads on', async (_case, text, expected) => {
    await expectSameInAnyChunking(text, expected);
  });

  it('gives up on an unclosed quote once the record passes the size limit, and reads on', async () => {
    const filler = `${'x'.repeat(1000)}\n`;
    const lines = Math.ceil(MAX_RECORD_CHARS / filler.length) + 5;
    const text = `a\n"${filler.repeat(lines)}`;
    const chunks: string[] = [];
    for (let at = 0; at < text.length; at += 65_536) chunks.push(text.slice(at, at + 65_536));
    const records = await read(chunks);
    expect(records[0]).toEqual(ok(1, 'a'));
    expect(records[1]).toEqual({ line: 2, error: 'malformed CSV: a quoted field is never closed' });
    // Reading resumes on the line after the opening quote: the filler lines come back as records.
    expect(records[2]).toEqual(ok(3, 'x'.repeat(1000)));
    expect(records.length).toBeGreaterThan(lines / 2);
  });
});

describe('records too long', () => {
  /** The text in chunks of `size` characters, as a slow or a fast upload would bring it. */
  const chunked = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

  it.each([
    ['one chunk', 1 << 30],
    ['chunks of 64 KiB', 65_536],
    ['chunks of 1 KiB', 1024],
  ])('rejects a line without line breaks past the limit for its line, in linear time, and reads on (%s)', async (_case, size) => {
    const long = 'x,'.repeat(4 << 20);
    const text = `a,b\n${long}\nc,d\n`;
    const started = performance.now();
    const records = await read(chunked(text, size));
    // A quadratic re-scan of 8 million characters in 1 KiB chunks would take minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(records).toEqual([ok(1, 'a', 'b'), { line: 2, error: `the record is longer than ${MAX_RECORD_CHARS} characters` }, ok(3, 'c', 'd')]);
  });

  it('rejects a long record that never ends, and stops there', async () => {
    const records = await read(chunked(`a,b\n${'y'.repeat(3 * MAX_RECORD_CHARS)}`, 4096));
    expect(records).toEqual([ok(1, 'a', 'b'), { line: 2, error: `the record is longer than ${MAX_RECORD_CHARS} characters` }]);
  });

  it('rejects a quoted record spanning lines past the limit, counting its lines', async () => {
    const field = `${'z'.repeat(1000)}\n`.repeat(Math.ceil(MAX_RECORD_CHARS / 1001) + 1);
    const text = `"${field}",b\nc,d\n`;
    const records = await read(chunked(text, 65_536));
    expect(records).toEqual([{ line: 1, error: `the record is longer than ${MAX_RECORD_CHARS} characters` }, ok(field.split('\n').length + 1, 'c', 'd')]);
  });

  it('reads a record just under the limit whole', async () => {
    const cell = 'w'.repeat(MAX_RECORD_CHARS - 2);
    await expect(read(chunked(`${cell},v\n`, 1000))).resolves.toEqual([ok(1, cell, 'v')]);
  });
});

describe('batches', () => {
  it('come one per chunk, so a caller awaits per chunk and not per record', async () => {
    const batches: CsvRecord[][] = [];
    for await (const batch of csvBatches(Readable.from(['a\nb\n', 'c\nd\ne\n'], { objectMode: true }))) batches.push(batch);
    expect(batches.map((batch) => batch.length)).toEqual([2, 3, 0]);
  });

  it('keep physical line numbers across a large input', async () => {
    const text = Array.from({ length: 10_000 }, (_, i) => (i % 100 === 0 ? `"${i}\n${i}",x` : `${i},x`)).join('\n');
    const records = await read([text.slice(0, 30_000), text.slice(30_000)]);
    expect(records).toHaveLength(10_000);
    expect(records[101]).toEqual(ok(104, '101', 'x'));
    expect(records[9_999]?.line).toBe(10_100);
  });
});
