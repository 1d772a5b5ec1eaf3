import { redactCredentials } from '../model/redact-credentials.js';

/**
 * What the verbs write for the operator, with credentials in URLs redacted (`***`): a source's
 * URL and the error messages quoting it end up in terminals, CI logs and pasted bug reports.
 * Redacting JSON output keeps it valid JSON.
 */
export function writeOut(text: string): void {
  process.stdout.write(redactCredentials(text));
}

export function writeErr(text: string): void {
  process.stderr.write(redactCredentials(text));
}
