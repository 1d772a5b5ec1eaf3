/** What a verb wrote and returned. */
export interface VerbResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A CLI verb run in this process with its output captured. Only for verbs that do all their
 * writing before their first await (sources, runs): the writes are put back before anything
 * else (tap's own output) can write.
 */
export function inProcess(verb: () => Promise<number>): Promise<VerbResult> {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  let pending: Promise<number>;
  try {
    pending = verb();
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  return pending.then((code) => ({ code, stdout, stderr }));
}
