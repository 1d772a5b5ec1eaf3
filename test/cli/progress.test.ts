import t from 'tap';
import { formatSummary, ProgressLine } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { output: string } {
  const stream = {
    isTTY,
    columns: 200,
    output: '',
    write(chunk: string) {
      stream.output += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { output: string };
}

const progress = {
  sourceId: 'moda',
  pages: 3,
  seen: 3000,
  created: 10,
  updated: 5,
  unchanged: 2985,
  rejected: 0,
  flagged: 2,
  withdrawn: 0,
  errors: 1,
  elapsedMs: 1500,
};

t.test('progress is drawn on a terminal, in place', async (t) => {
  const stream = fakeStream(true);
  const line = new ProgressLine(stream);
  line.update(progress);
  t.match(stream.output, /^\r\x1b\[2Kmoda: 3 pages, 3000 records \(10 new, 5 changed, 2985 unchanged\), 1 errors, 2000 records\/s$/);
  line.done();
  t.match(stream.output, /\r\x1b\[2K$/, 'the line is cleared before the summary');
});

t.test('nothing is drawn when stderr is not a terminal', async (t) => {
  const stream = fakeStream(false);
  new ProgressLine(stream).update(progress);
  t.equal(stream.output, '');
});

t.test('the summary names the source, status, counts and reason', async (t) => {
  const text = formatSummary({
    runId: 7,
    sourceId: 'moda',
    status: 'failed',
    counts: { ...progress },
    incrementalSince: '2026-11-22T02:50:00Z',
    message: 'HTTP 500 from https://example/api/v1/rest/dataset',
    durationMs: 1234,
  });
  t.match(text, /^moda: FAILED \(run 7, 1\.2s, changes since 2026-11-22T02:50:00Z\)/);
  t.match(text, /3000 records: 10 new, 5 changed, 2985 unchanged, 0 rejected, 2 kept with rule errors, 0 withdrawn; 1 errors/);
  t.match(text, /reason: HTTP 500/);
});
