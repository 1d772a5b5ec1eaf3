import { Harvester } from '../harvest/harvester.js';
import type { RunSummary } from '../harvest/run.js';
import { openGateway, type CommonOptions } from './context.js';
import { formatSummary, ProgressLine } from './progress.js';
import { cliOutput, writeErr, writeOut } from './output.js';

export interface HarvestOptions extends CommonOptions {
  sourceIds: string[];
  full: boolean;
  strict: boolean;
}

/** `harvest [sourceId ...]`: run now, one source after another; exit 1 when a run failed. */
export async function harvest(options: HarvestOptions): Promise<number> {
  const { config, store, log } = await openGateway(options, 'stderr');
  try {
    const unknown = options.sourceIds.filter((id) => !config.sources.some((s) => s.id === id));
    if (unknown.length > 0) {
      writeErr(
        `ogd-gateway: unknown source ${unknown.map((id) => `"${id}"`).join(', ')} (configured: ${config.sources.map((s) => s.id).join(', ') || 'none'})\n`,
      );
      return 2;
    }
    const targets = options.sourceIds.length > 0 ? options.sourceIds : config.sources.filter((s) => s.enabled).map((s) => s.id);
    const harvester = new Harvester(store, config, log);
    const cancel = new AbortController();
    const onSignal = (): void => cancel.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const progress = new ProgressLine(cliOutput().stderr);
    const summaries: RunSummary[] = [];
    let busy = 0;
    try {
      for (const sourceId of targets) {
        if (cancel.signal.aborted) break;
        let summary: RunSummary | undefined;
        try {
          summary = await harvester.run(sourceId, { full: options.full, signal: cancel.signal, onProgress: (p) => progress.update(p) });
        } finally {
          // Also when the store fails (main.ts prints why): its line must not run into the progress line.
          progress.done();
        }
        if (!summary) {
          busy += 1;
          writeOut(`${sourceId}: SKIPPED (another process is harvesting it)\n`);
          continue;
        }
        summaries.push(summary);
        writeOut(`${formatSummary(summary)}\n`);
      }
    } finally {
      // Also when the store fails: a caller in this process (runCli) goes on without them.
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }

    const failed = summaries.filter((s) => s.status === 'failed' || s.status === 'cancelled').length;
    const partial = summaries.filter((s) => s.status === 'partial').length;
    writeOut(
      `${summaries.length} run(s): ${summaries.length - failed - partial} succeeded, ${partial} partial, ${failed} failed${busy ? `, ${busy} skipped` : ''}\n`,
    );
    return failed > 0 || (options.strict && partial > 0) ? 1 : 0;
  } finally {
    await store.close();
  }
}
