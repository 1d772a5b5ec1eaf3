/** What a verb wrote and returned. */
export interface VerbResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A CLI verb run in this process with its output captured until it settles. Only for verbs that
 * wait for no I/O (sources, runs: the embedded store answers at once, so the verb ends within
 * the same turn of the event loop): nothing else (tap's own output) writes while it is captured.
 */
export function inProcess(verb: () => Promise<number>): Promise<VerbResult> {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  const restore = (): void => {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  };
  let pending: Promise<number>;
  try {
    pending = verb();
  } catch (err) {
    restore();
    throw err;
  }
  return pending.finally(restore).then((code) => ({ code, stdout, stderr }));
}
