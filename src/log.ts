import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. The server logs to stdout (what containers collect); CLI verbs log
 * to stderr so that their stdout is only the report a script reads.
 */
export function createLogger(level: string, destination: 'stdout' | 'stderr'): Logger {
  return pino({ level, base: { app: 'ogd-gateway' } }, pino.destination(destination === 'stdout' ? 1 : 2));
}
