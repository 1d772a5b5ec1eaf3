import type { RunRow } from '../store/runs.js';
import { PUSH_SOURCE_TYPE } from '../store/push-sources.js';
import { MIRROR_SOURCE_TYPE } from '../store/mirror-sources.js';
import { openGateway, type CommonOptions } from './context.js';
import { writeOut } from './output.js';

/**
 * `sources`: every source the database holds, with its last run: the configured ones first, in
 * the configuration's order, then those that are not in the configuration (`configured: false`):
 * mirrors (`ogd-gateway mirror`), agencies' push sources, sources dropped from the configuration
 * (their records and runs stay).
 */
export async function sources(options: CommonOptions & { json: boolean }): Promise<number> {
  const { config, store } = await openGateway(options, 'stderr');
  try {
    const configured = await Promise.all(
      config.sources.map(async (source) => ({
        id: source.id,
        name: source.name,
        type: source.type,
        url: source.url,
        schedule: source.schedule,
        enabled: source.enabled,
        configured: true,
        lastRun: runSummary(await store.runs.lastRun(source.id)),
      })),
    );
    const configuredIds = new Set(config.sources.map((source) => source.id));
    const held = await Promise.all(
      (await store.sources.listSources())
        .filter((source) => !configuredIds.has(source.id))
        .map(async (source) => ({
          id: source.id,
          name: source.name,
          type: source.type,
          url: source.url,
          schedule: null,
          enabled: null,
          configured: false,
          lastRun: runSummary(await store.runs.lastRun(source.id)),
        })),
    );
    const rows = [...configured, ...held];
    if (options.json) {
      writeOut(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) writeOut('no sources configured\n');
    for (const row of rows) {
      const run = row.lastRun
        ? `last run ${row.lastRun.id} ${row.lastRun.status} ${row.lastRun.finishedAt ?? row.lastRun.startedAt}, ${row.lastRun.records} records, ${row.lastRun.errors} errors`
        : row.type === MIRROR_SOURCE_TYPE
          ? 'never synced'
          : row.type === PUSH_SOURCE_TYPE
            ? 'no runs (records are pushed)'
            : 'never harvested';
      const how = row.configured ? `schedule "${row.schedule}"` : `not in the configuration: ${unconfiguredReason(row.type)}`;
      writeOut(`${row.id}${row.enabled === false ? ' (disabled)' : ''}  [${row.type}] ${row.url}\n  "${row.name}", ${how}; ${run}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

function runSummary(run: RunRow | undefined) {
  return run
    ? {
        id: run.id,
        status: run.status,
        startedAt: run.started_at,
        finishedAt: run.finished_at,
        records: run.records_seen,
        errors: run.error_count,
        message: run.message,
      }
    : null;
}

/** Why a source the database holds is not in the configuration. */
function unconfiguredReason(type: string): string {
  if (type === MIRROR_SOURCE_TYPE) return 'a mirror, synced by `ogd-gateway mirror URL`';
  if (type === PUSH_SOURCE_TYPE) return "an agency's push source, written through the push API";
  return 'dropped from it, its records and runs kept';
}
