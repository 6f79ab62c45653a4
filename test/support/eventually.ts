/**
 * Reads until `done` holds, every `everyMs`, for what the worker writes just after a workflow
 * moved (an answer does not wait for it); fails once `withinMs` have gone by.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, { withinMs = 10_000, everyMs = 100 } = {}): Promise<T> {
  for (let attempt = 0; attempt < withinMs / everyMs; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not reached within ${withinMs / 1000} s`);
}
