/**
 * The connector's next page is asked for as soon as the current one arrives, so that while the
 * run maps and writes one page the source is already answering for the next: fetching no longer
 * waits for writing, nor writing for fetching. A cross-platform harvest spent about a tenth of
 * its time idle, waiting for the platform's answers between pages (docs/benchmarks.md, issue 15).
 *
 * At most one page is read ahead, so memory stays bounded by two pages. Leaving the loop early
 * (a cancelled run, a store error while writing) calls `abandon`, which must abort the page's
 * requests, waits for it to settle and closes the connector's iterator, so no request of the run
 * outlives it. A failure while reading ahead is thrown where that page would have been, after
 * the pages before it were processed, as it was without reading ahead.
 */
export async function* readAhead<T>(pages: AsyncIterable<T>, abandon: () => void): AsyncGenerator<T, void, undefined> {
  const iterator = pages[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined = iterator.next();
  // Handled here so that a failure while the current page is processed is not an unhandled
  // rejection; it is still thrown below, when that page is awaited.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const result: IteratorResult<T> = await pending;
      pending = undefined;
      if (result.done === true) {
        finished = true;
        return;
      }
      pending = iterator.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } catch (err) {
    finished = true;
    throw err;
  } finally {
    if (!finished) {
      // The consumer left early: abort the page in flight, let it settle, then end the connector's iterator.
      abandon();
      if (pending !== undefined) await pending.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
