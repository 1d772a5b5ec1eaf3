import { lastRun } from '../store/runs.js';
import { openGateway, type CommonOptions } from './context.js';

/** `sources`: each configured source with its last run. */
export async function sources(options: CommonOptions & { json: boolean }): Promise<number> {
  const { config, db } = openGateway(options, 'stderr');
  try {
    const rows = config.sources.map((source) => {
      const run = lastRun(db, source.id);
      return {
        id: source.id,
        name: source.name,
        type: source.type,
        url: source.url,
        schedule: source.schedule,
        enabled: source.enabled,
        lastRun: run
          ? { id: run.id, status: run.status, startedAt: run.started_at, finishedAt: run.finished_at, records: run.records_seen, errors: run.error_count, message: run.message }
          : null,
      };
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) process.stdout.write('no sources configured\n');
    for (const row of rows) {
      const run = row.lastRun
        ? `last run ${row.lastRun.id} ${row.lastRun.status} ${row.lastRun.finishedAt ?? row.lastRun.startedAt}, ${row.lastRun.records} records, ${row.lastRun.errors} errors`
        : 'never harvested';
      process.stdout.write(`${row.id}${row.enabled ? '' : ' (disabled)'}  [${row.type}] ${row.url}\n  "${row.name}", schedule "${row.schedule}"; ${run}\n`);
    }
    return 0;
  } finally {
    db.close();
  }
}
