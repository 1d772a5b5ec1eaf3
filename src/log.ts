import pino, { type DestinationStream, type Logger } from 'pino';
import { redactCredentials } from './model/redact-credentials.js';

/**
 * Structured JSON logs. The server logs to stdout (what containers collect); CLI verbs log
 * to stderr so that their stdout is only the report a script reads. A test passes its own stream.
 *
 * Every line is redacted as it is written (credentials in URLs become `***`), whatever field
 * carries the URL: a message, an error's message, stack or cause, a request URL, a child's
 * bindings. Redaction never breaks the line's JSON (src/model/redact-credentials.ts).
 */
export function createLogger(level: string, destination: 'stdout' | 'stderr' | DestinationStream): Logger {
  // The CLI's log (stderr) is written synchronously: its lines and the verb's own messages on
  // stderr come out in the order they were made (an asynchronous log line could follow the
  // one-line error the CLI ends with). The server's (stdout) stays asynchronous, for throughput.
  const stream = typeof destination === 'string' ? (destination === 'stdout' ? pino.destination(1) : pino.destination({ dest: 2, sync: true })) : destination;
  return pino({ level, base: { app: 'ogd-gateway' }, hooks: { streamWrite: redactCredentials } }, stream);
}
