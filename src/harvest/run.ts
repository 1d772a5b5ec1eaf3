import type { Logger } from 'pino';
import { SourceProtocolError, type Connector, type RawRecord, type RecordPage } from '../../connectors/connector.js';
import { boundedPages } from '../../connectors/batches.js';
import type { MappingResult } from '../model/record.js';
import type { SourceConfig } from '../config/types.js';
import type { Store } from '../store/contract/store.js';
import { MAPPERS } from '../mapping/index.js';
import { TAIWAN_MAPPING_CONTEXT, mappingContextOf, mappingSettingsOf } from '../mapping/context.js';
import {
  admitPayload,
  DEFAULT_RECORD_LIMITS,
  mapAdmitted,
  refuseNativeId,
  type AdmittedPayload,
  type RecordLimits,
  type RecordRefusal,
} from './record-door.js';
import type { HttpValidators, MappedRecord, StoredState } from '../store/records.js';
import { storeErrorOf } from '../store/store-errors.js';
import type { FinalRunStatus, RunCounts, RunErrorRecord } from '../store/runs.js';
import { resolveAfterRun } from './resolve-after-run.js';
import { readAhead } from './read-ahead.js';
import { HttpError, MalformedBodyError, type HttpClient } from '../http/http-client.js';

/** Incremental runs ask for changes since the last good run minus this, to cover clock skew and slow commits. */
export const INCREMENTAL_SAFETY_WINDOW_MS = 10 * 60 * 1000;

export interface RunProgress extends RunCounts {
  sourceId: string;
  elapsedMs: number;
}

export interface HarvestRunOptions {
  store: Store;
  /** The run, queued by queueRun; this function starts it. */
  runId: number;
  source: SourceConfig;
  connector: Connector;
  http: HttpClient;
  log: Logger;
  signal?: AbortSignal | undefined;
  limits?: RecordLimits;
  /** Ignore the last good run and list everything. */
  full?: boolean | undefined;
  onProgress?: ((progress: RunProgress) => void) | undefined;
}

export interface RunSummary {
  runId: number;
  sourceId: string;
  status: FinalRunStatus;
  counts: RunCounts;
  incrementalSince: string | null;
  message: string | null;
  durationMs: number;
}

export function emptyCounts(): RunCounts {
  return { pages: 0, seen: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, flagged: 0, withdrawn: 0, errors: 0 };
}

/**
 * One run of one source: pages from the connector, each record hashed, mapped when it
 * changed, and each page committed in its own transaction. A record that fails becomes a
 * typed error and the run goes on; a source that fails ends the run as failed, and every
 * record committed before stays as it was. Only a run that read the whole source without a
 * failure (succeeded) withdraws what the source no longer lists, after the grace period.
 */
export async function runHarvest(options: HarvestRunOptions): Promise<RunSummary> {
  const { store, runId, source, connector, log } = options;
  const limits = options.limits ?? DEFAULT_RECORD_LIMITS;
  const started = Date.now();
  const since = options.full || !connector.incremental ? null : await incrementalBase(store, source.id);
  const counts = emptyCounts();
  const summary = (status: FinalRunStatus, message: string | null): RunSummary => ({
    runId,
    sourceId: source.id,
    status,
    counts,
    incrementalSince: since,
    message,
    durationMs: Date.now() - started,
  });
  if (!(await store.runs.markRunStarted(runId, since))) return summary('cancelled', 'cancelled before it started');

  // Cancelled by the caller (Ctrl-C, shutdown) or by `ogd-gateway cancel` from any process.
  const cancel = new AbortController();
  const onCallerAbort = (): void => cancel.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) cancel.abort();
  const signal = cancel.signal;

  const runLog = log.child({ source: source.id, run: runId });
  // Failures to list or fetch (not records the publisher sent broken): any makes the run partial.
  let sourceFailures = 0;
  // The source's time zone and language, passed to the mapping (docs/architecture.md "Languages and time zones").
  const mappingContext = mappingContextOf(source, connector.mappingDefaults ?? TAIWAN_MAPPING_CONTEXT);
  const map = connector.map
    ? (payload: unknown) => connector.map!(payload, mappingContext)
    : (payload: unknown) => MAPPERS[connector.recordFormat](payload, mappingContext);
  const known = async (nativeIds: readonly string[]): Promise<Map<string, StoredState['validators']>> =>
    new Map([...(await store.records.storedStates(source.id, nativeIds))].map(([id, state]) => [id, state.validators]));
  runLog.info({ incrementalSince: since }, 'harvest run started');

  let status: FinalRunStatus;
  let message: string | null = null;
  try {
    // The next page is fetched while this one is mapped and written (read-ahead.ts); leaving the
    // loop early aborts it through `abandoned`, which does not make the run cancelled.
    const abandoned = new AbortController();
    const pages = connector.harvest({ http: options.http, since, known, signal: AbortSignal.any([signal, abandoned.signal]), log: runLog });
    for await (const page of readAhead(pages, () => abandoned.abort())) {
      sourceFailures += page.failures.length;
      for (const part of boundedPages(page)) {
        await processPage(store, source, runId, part, counts, limits, map);
        if (part.deleted?.length) counts.withdrawn += (await store.records.withdrawDeleted(source.id, part.deleted)).length;
        counts.pages += 1;
        options.onProgress?.({ ...counts, sourceId: source.id, elapsedMs: Date.now() - started });
        if (!signal.aborted && (await store.runs.isCancelRequested(runId))) cancel.abort();
        if (signal.aborted) break;
      }
      if (signal.aborted) break;
    }
    if (signal.aborted) {
      status = 'cancelled';
      message = 'cancelled';
    } else {
      status = sourceFailures > 0 ? 'partial' : 'succeeded';
    }
  } catch (err) {
    // The store refused a write (full disk, read-only file): not the source's fault, and no later write would do better.
    // Pages committed before stay; identity is resolved by the next run or start (the store stays marked).
    const storeError = storeErrorOf(err, store.location);
    if (storeError) {
      const closed = await store.runs.failRunOnStoreError({ id: runId, sourceId: source.id, counts }, storeError);
      runLog.error({ status: 'failed', counts, closed }, `harvest run failed: ${storeError.message}`);
      throw storeError;
    }
    status = signal.aborted ? 'cancelled' : 'failed';
    message = (err as Error).message;
    await store.runs.recordRunErrors(runId, [{ sourceId: source.id, stage: 'source', rule: errorRule(err), message }]);
    counts.errors += 1;
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }

  if (status === 'succeeded' && connector.listsEverything) {
    const outcome = await store.records.withdrawMissing(source.id, runId, source.withdrawAfterHours * 3_600_000, source.maxMissingShare);
    counts.withdrawn += outcome.withdrawn.length;
    if (outcome.refusedShare !== undefined) {
      const share = Math.round(outcome.refusedShare * 100);
      message = `the source stopped listing ${outcome.missing} records (${share}% of those it had), more than maxMissingShare allows: none was marked missing; if this is real, raise the source's maxMissingShare for one run`;
      await store.runs.recordRunErrors(runId, [{ sourceId: source.id, stage: 'withdraw', rule: 'too-many-missing', message }]);
      runLog.warn({ missing: outcome.missing, share }, 'withdrawal refused: too many records vanished at once');
    } else if (outcome.missing > 0) {
      runLog.info({ missing: outcome.missing, withdrawn: outcome.withdrawn.length }, 'records the source no longer lists');
    }
  }
  await resolveAfterRun(
    store,
    source.id,
    runId,
    counts,
    runLog,
    (c) =>
      `records ${c.nativeIds.join(', ')} of this source all claim ${c.kind} ${c.value}: kept as separate datasets, not merged with any other source's record by it`,
  );
  await store.runs.finishRun(runId, { status, counts, message });
  const result = summary(status, message);
  const level = status === 'succeeded' ? 'info' : status === 'partial' ? 'warn' : 'error';
  runLog[level]({ status, counts, durationMs: result.durationMs, reason: message ?? undefined }, 'harvest run finished');
  return result;
}

async function incrementalBase(store: Store, sourceId: string): Promise<string | null> {
  const last = await store.runs.lastSucceededRun(sourceId);
  if (!last?.started_at) return null;
  return new Date(Date.parse(last.started_at) - INCREMENTAL_SAFETY_WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function processPage(
  store: Store,
  source: SourceConfig,
  runId: number,
  page: RecordPage,
  counts: RunCounts,
  limits: RecordLimits,
  map: (payload: unknown) => MappingResult,
): Promise<void> {
  const errors: RunErrorRecord[] = page.failures.map((failure) => ({ sourceId: source.id, ...failure }));
  counts.errors += page.failures.length;
  counts.seen += page.records.length + page.unchanged.length;
  const changed: MappedRecord[] = [];
  // Listed by the source, stored copy stands: unchanged, not modified, or sent broken this time.
  const presentNativeIds: string[] = page.unchanged.filter((nativeId) => refuseNativeId(nativeId) === undefined);
  const refreshedValidators: Array<{ nativeId: string; validators: HttpValidators }> = [];

  const reject = (nativeId: string, refusal: RecordRefusal): void => {
    errors.push({ sourceId: source.id, nativeId, stage: 'map', field: refusal.field, rule: refusal.rule, message: refusal.message });
    presentNativeIds.push(nativeId);
    counts.rejected += 1;
    counts.errors += 1;
  };
  const admitted: Array<{ raw: RawRecord; payload: AdmittedPayload }> = [];
  for (const raw of page.records) {
    const badId = refuseNativeId(raw.nativeId);
    if (badId !== undefined) {
      // Not counted present either: no row can be found under this id.
      errors.push({ sourceId: source.id, nativeId: raw.nativeId, stage: 'map', field: badId.field, rule: badId.rule, message: badId.message });
      counts.rejected += 1;
      counts.errors += 1;
      continue;
    }
    const payload = admitPayload(raw.payload, limits, mappingSettingsOf(source));
    if (payload.ok) admitted.push({ raw, payload });
    else reject(raw.nativeId, payload);
  }
  const stored = await store.records.storedStates(
    source.id,
    admitted.map(({ raw }) => raw.nativeId),
  );
  let sameContent = 0;

  for (const { raw, payload } of admitted) {
    const before = stored.get(raw.nativeId);
    if (before?.contentHash === payload.hash) {
      presentNativeIds.push(raw.nativeId);
      sameContent += 1;
      if (raw.validators && !sameValidators(raw.validators, before.validators))
        refreshedValidators.push({ nativeId: raw.nativeId, validators: raw.validators });
      continue;
    }
    const mapped = mapAdmitted(payload, map, limits);
    if (!mapped.ok) {
      reject(raw.nativeId, mapped);
      continue;
    }
    if (mapped.ruleBreaks.length > 0) {
      counts.flagged += 1;
      // Kept and served, flagged: real catalogues are incomplete and users still want to find the dataset.
      for (const issue of mapped.ruleBreaks) {
        errors.push({ sourceId: source.id, nativeId: raw.nativeId, stage: 'validate', field: issue.field, rule: issue.rule, message: issue.message });
      }
    }
    changed.push({
      nativeId: raw.nativeId,
      payloadJson: payload.payloadJson,
      contentHash: payload.hash,
      record: mapped.record,
      issues: mapped.issues,
      validators: raw.validators,
    });
  }

  const written = await store.records.writeRecordPage({
    sourceId: source.id,
    priority: source.priority,
    runId,
    changed,
    presentNativeIds,
    refreshedValidators,
    errors,
  });
  counts.created += written.created;
  counts.updated += written.updated;
  counts.unchanged += page.unchanged.length + sameContent;
}

function sameValidators(a: HttpValidators, b: HttpValidators): boolean {
  return (a.etag ?? null) === (b.etag ?? null) && (a.lastModified ?? null) === (b.lastModified ?? null);
}

/** The cause name a whole-run failure is grouped under in run reports. */
function errorRule(err: unknown): string {
  if (err instanceof HttpError) return err.kind === 'status' ? `http-${err.status}` : err.kind;
  if (err instanceof MalformedBodyError) return 'malformed-json';
  if (err instanceof SourceProtocolError) return (err as SourceProtocolError & { rule?: string }).rule ?? 'protocol';
  return 'error';
}
