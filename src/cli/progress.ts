import type { RunProgress, RunSummary } from '../harvest/run.js';
import type { CliStream } from './output.js';

/** Live progress of a harvest on a terminal: one line per source, rewritten in place. */
export class ProgressLine {
  private lastDraw = 0;

  constructor(private readonly stream: CliStream) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(progress: RunProgress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const rate = progress.elapsedMs > 0 ? Math.round((progress.seen * 1000) / progress.elapsedMs) : 0;
    const line = `${progress.sourceId}: ${progress.pages} pages, ${progress.seen} records (${progress.created} new, ${progress.updated} changed, ${progress.unchanged} unchanged), ${progress.errors} errors, ${rate} records/s`;
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns || 120) - 1)}`);
  }

  done(): void {
    if (this.enabled && this.lastDraw > 0) this.stream.write('\r\x1b[2K');
    this.lastDraw = 0;
  }
}

export function formatSummary(summary: RunSummary): string {
  const c = summary.counts;
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const head = `${summary.sourceId}: ${summary.status.toUpperCase()} (run ${summary.runId}, ${seconds}s${summary.incrementalSince ? `, changes since ${summary.incrementalSince}` : ', full'})`;
  const body = `  ${c.seen} records: ${c.created} new, ${c.updated} changed, ${c.unchanged} unchanged, ${c.rejected} rejected, ${c.flagged} kept with rule errors, ${c.withdrawn} withdrawn; ${c.errors} errors`;
  return summary.message ? `${head}\n${body}\n  reason: ${summary.message}` : `${head}\n${body}`;
}
