import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CopyRefusedError, copyIn } from '../../db/copy-in.js';

// A pool of two, so that one connection lost per failure would show at the third.
let sql: postgres.Sql;

beforeAll(() => {
  sql = postgres(inject('databaseUrl'), { max: 2, onnotice: () => {} });
});
afterAll(() => sql?.end());

async function* rows(...lines: string[]) {
  for (const line of lines) yield `${line}\n`;
}

const copyInto = (...lines: string[]) =>
  sql.begin(async (tx) => {
    await tx`create temp table copied (n integer, t text) on commit drop`;
    await copyIn(tx, 'copy copied from stdin', rows(...lines));
    return tx<{ n: number; t: string }[]>`select n, t from copied order by n`;
  });

describe('COPY … FROM STDIN', () => {
  it('writes the rows', async () => {
    expect(await copyInto('1\tone', '2\ttwo')).toEqual([
      { n: 1, t: 'one' },
      { n: 2, t: 'two' },
    ]);
  });

  it('fails when the server refuses the rows after their end, rolls back and gives the connection back, every time', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      // PostgreSQL refuses a NUL in text; the refusal comes after the data has ended.
      await expect(copyInto('1\tone', '2\tt\u0000wo')).rejects.toBeInstanceOf(CopyRefusedError);
      await expect(copyInto('1\tone', 'not a number\tx')).rejects.toBeInstanceOf(CopyRefusedError);
    }
    expect(await copyInto('3\tthree')).toEqual([{ n: 3, t: 'three' }]);
    const inTransaction = await sql`
      select count(*)::integer as n from pg_stat_activity
      where datname = current_database() and state like 'idle in transaction%'`;
    expect(inTransaction).toEqual([{ n: 0 }]);
  });

  it('fails with the source when the source fails, and gives the connection back', async () => {
    async function* broken() {
      yield '1\tone\n';
      throw new Error('connection reset');
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(
        sql.begin(async (tx) => {
          await tx`create temp table copied (n integer, t text) on commit drop`;
          await copyIn(tx, 'copy copied from stdin', broken());
        }),
      ).rejects.toThrow('connection reset');
    }
    expect(await copyInto('4\tfour')).toEqual([{ n: 4, t: 'four' }]);
  });
});
