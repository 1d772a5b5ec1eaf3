import { openGateway, type CommonOptions } from './context.js';
import { writeErr, writeOut } from './output.js';

/**
 * `runs [sourceId]`: recent runs, newest first, with their errors grouped by cause. Any source the
 * database holds can be named: the configured ones (recorded at start-up) and those that are not
 * in the configuration (mirrors, push sources, sources dropped from it).
 */
export async function runs(options: CommonOptions & { sourceId?: string | undefined; json: boolean }): Promise<number> {
  const { store } = await openGateway(options, 'stderr');
  try {
    if (options.sourceId && !(await store.sources.listSources()).some((s) => s.id === options.sourceId)) {
      writeErr(`ogd-gateway: unknown source "${options.sourceId}"\n`);
      return 2;
    }
    const rows = await Promise.all(
      (await store.runs.listRuns(options.sourceId)).map(async (run) => ({ ...run, errorGroups: await store.runs.runErrorGroups(run.id) })),
    );
    if (options.json) {
      writeOut(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) writeOut('no runs yet\n');
    for (const run of rows) {
      writeOut(
        `run ${run.id} ${run.source_id} ${run.status} ${run.started_at ?? `queued ${run.queued_at}`} → ${run.finished_at ?? '…'}: ${run.records_seen} records (${run.records_created} new, ${run.records_updated} changed, ${run.records_unchanged} unchanged, ${run.records_rejected} rejected, ${run.records_flagged} flagged, ${run.records_withdrawn} withdrawn), ${run.error_count} errors${run.message ? `\n  reason: ${run.message}` : ''}\n`,
      );
      for (const group of run.errorGroups) {
        writeOut(
          `  ${group.count}× ${group.stage}${group.field ? ` ${group.field}` : ''}${group.rule ? ` [${group.rule}]` : ''}: e.g. ${group.example_native_id ?? ''} ${group.example_message}\n`,
        );
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
