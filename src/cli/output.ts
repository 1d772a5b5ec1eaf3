import { AsyncLocalStorage } from 'node:async_hooks';
import { redactCredentials } from '../model/redact-credentials.js';

/** Where a verb writes: a terminal, a pipe, or (a test running the CLI in its own process) a buffer. */
export interface CliStream {
  write(text: string): unknown;
  /** A terminal: the progress line is drawn only there. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliOutput {
  stdout: CliStream;
  stderr: CliStream;
}

const processOutput: CliOutput = { stdout: process.stdout, stderr: process.stderr };

/**
 * The output of the invocation this code runs for. Several invocations may run at once in one
 * process (a test running verbs side by side): each sees its own, through the async context.
 */
const current = new AsyncLocalStorage<CliOutput>();

/** Run `fn` (and everything it starts) with its CLI output going to `output`. */
export function withCliOutput<T>(output: CliOutput, fn: () => T): T {
  return current.run(output, fn);
}

/** The current invocation's output; the process's own streams outside any. */
export function cliOutput(): CliOutput {
  return current.getStore() ?? processOutput;
}

/**
 * What the verbs write for the operator, with credentials in URLs redacted (`***`): a source's
 * URL and the error messages quoting it end up in terminals, CI logs and pasted bug reports.
 * Redacting JSON output keeps it valid JSON.
 */
export function writeOut(text: string): void {
  cliOutput().stdout.write(redactCredentials(text));
}

export function writeErr(text: string): void {
  cliOutput().stderr.write(redactCredentials(text));
}
