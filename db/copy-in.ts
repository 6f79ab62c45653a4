import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransactionSql } from 'postgres';

/**
 * Streams `rows` (COPY text) into `COPY … FROM STDIN` inside the transaction `tx`, and settles
 * however the server answers.
 *
 * postgres.js (3.4) never settles the COPY's stream when the server refuses the data after the
 * stream has ended (porsager/postgres#1173): a plain pipeline would wait forever, the transaction
 * would never roll back, and its connection would stay idle in an aborted transaction, one lost
 * connection per failure until the pool is empty. So a query follows right behind the end of the
 * data on the same connection: it answers once the COPY has completed, and fails when the COPY
 * failed (the transaction is aborted), which settles this function and rolls the transaction back.
 */
export async function copyIn(tx: TransactionSql, statement: string, rows: AsyncIterable<string | Buffer>): Promise<void> {
  const copy = await tx.unsafe(statement).writable();
  const sendEnd = copy._final?.bind(copy);
  if (!sendEnd) throw new Error('the COPY stream of this postgres.js version has no end to wait for');
  const ended = new Promise<void>((resolve) => {
    copy._final = (callback) => {
      sendEnd(callback);
      resolve();
    };
  });
  const sent = pipeline(Readable.from(rows), copy);
  const completed = ended.then(() =>
    tx`select 1`.then(
      () => undefined,
      (error: unknown) => {
        throw new CopyRefusedError(statement, error);
      },
    ),
  );
  try {
    await Promise.all([sent, completed]);
  } catch (error) {
    // Settles whichever is still waiting, so that nothing is left behind to hold the stream.
    copy.destroy();
    sent.catch(() => {});
    completed.catch(() => {});
    throw error;
  }
}

/** The server refused the rows of a COPY: nothing of it was written, and the transaction rolls back. */
export class CopyRefusedError extends Error {
  constructor(statement: string, cause: unknown) {
    super(`the database refused the rows of "${statement}"; nothing was written`, { cause });
  }
}
