import type { Logger } from 'pino';
import { SourceProtocolError, type Connector, type RecordPage } from '../../connectors/connector.js';
import type { MappingResult } from '../model/record.js';
import type { SourceConfig } from '../config/types.js';
import type { Db } from '../store/database.js';
import { MAPPERS } from '../mapping/index.js';
import { contentHash, storedHashes, writeRecordPage, type MappedRecord } from '../store/records.js';
import {
  finishRun,
  lastCompleteRun,
  recordRunErrors,
  startRun,
  type RunCounts,
  type RunErrorRecord,
  type RunStatus,
} from '../store/runs.js';
import { HttpError, MalformedBodyError, type HttpClient } from './http-client.js';

export interface RecordLimits {
  /** A record whose JSON is larger is rejected (that record, not the run). */
  maxRecordBytes: number;
  /** A record with more distributions is rejected. */
  maxDistributions: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { maxRecordBytes: 5 * 1024 * 1024, maxDistributions: 10_000 };

/** Incremental runs ask for changes since the last good run minus this, to cover clock skew and slow commits. */
export const INCREMENTAL_SAFETY_WINDOW_MS = 10 * 60 * 1000;

export interface RunProgress extends RunCounts {
  sourceId: string;
  elapsedMs: number;
}

export interface HarvestRunOptions {
  db: Db;
  source: SourceConfig;
  connector: Connector;
  http: HttpClient;
  log: Logger;
  signal?: AbortSignal;
  limits?: RecordLimits;
  /** Ignore the last good run and list everything. */
  full?: boolean;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunSummary {
  runId: number;
  sourceId: string;
  status: Exclude<RunStatus, 'running'>;
  counts: RunCounts;
  incrementalSince: string | null;
  message: string | null;
  durationMs: number;
}

/**
 * One run of one source: pages from the connector, each record hashed, mapped when it
 * changed, and each page committed in its own transaction. A record that fails becomes a
 * typed error and the run goes on; a source that fails ends the run as failed, and every
 * record committed before stays as it was.
 */
export async function runHarvest(options: HarvestRunOptions): Promise<RunSummary> {
  const { db, source, connector, log } = options;
  const limits = options.limits ?? DEFAULT_RECORD_LIMITS;
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  const since = options.full || !connector.incremental ? null : incrementalBase(db, source.id);
  const runId = startRun(db, source.id, since);
  const runLog = log.child({ source: source.id, run: runId });
  const counts: RunCounts = { pages: 0, seen: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, flagged: 0, errors: 0 };
  // Failures to list or fetch (not records the publisher sent broken): any makes the run incomplete.
  let sourceFailures = 0;
  const map = MAPPERS[connector.recordFormat];
  runLog.info({ incrementalSince: since }, 'harvest run started');

  let status: RunSummary['status'];
  let message: string | null = null;
  try {
    for await (const page of connector.harvest({ http: options.http, since, signal, log: runLog })) {
      sourceFailures += page.failures.length;
      processPage(db, source, runId, page, counts, limits, map);
      counts.pages += 1;
      options.onProgress?.({ ...counts, sourceId: source.id, elapsedMs: Date.now() - started });
      if (signal.aborted) break;
    }
    if (signal.aborted) {
      status = 'cancelled';
      message = 'cancelled';
    } else {
      status = counts.errors > 0 ? 'partial' : 'succeeded';
    }
  } catch (err) {
    status = signal.aborted ? 'cancelled' : 'failed';
    message = (err as Error).message;
    recordRunErrors(db, runId, [{ sourceId: source.id, stage: 'source', rule: errorRule(err), message }]);
    counts.errors += 1;
  }
  const complete = status !== 'failed' && status !== 'cancelled' && sourceFailures === 0;
  finishRun(db, runId, { status, complete, counts, message });
  const summary: RunSummary = { runId, sourceId: source.id, status, counts, incrementalSince: since, message, durationMs: Date.now() - started };
  const level = status === 'succeeded' ? 'info' : status === 'partial' ? 'warn' : 'error';
  runLog[level]({ status, counts, durationMs: summary.durationMs, reason: message ?? undefined }, 'harvest run finished');
  return summary;
}

function incrementalBase(db: Db, sourceId: string): string | null {
  const last = lastCompleteRun(db, sourceId);
  if (!last) return null;
  return new Date(Date.parse(last.started_at) - INCREMENTAL_SAFETY_WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function processPage(
  db: Db,
  source: SourceConfig,
  runId: number,
  page: RecordPage,
  counts: RunCounts,
  limits: RecordLimits,
  map: (payload: unknown) => MappingResult,
): void {
  const errors: RunErrorRecord[] = page.failures.map((failure) => ({ sourceId: source.id, ...failure }));
  counts.errors += page.failures.length;
  counts.seen += page.records.length;

  const serialised = page.records.map((record) => {
    const payloadJson = JSON.stringify(record.payload);
    return { nativeId: record.nativeId, payload: record.payload, payloadJson, hash: contentHash(payloadJson) };
  });
  const known = storedHashes(db, source.id, serialised.map((r) => r.nativeId));
  const changed: MappedRecord[] = [];
  const unchangedNativeIds: string[] = [];

  for (const raw of serialised) {
    if (known.get(raw.nativeId) === raw.hash) {
      unchangedNativeIds.push(raw.nativeId);
      continue;
    }
    const reject = (field: string | undefined, rule: string, message: string): void => {
      errors.push({ sourceId: source.id, nativeId: raw.nativeId, stage: 'map', field, rule, message });
      counts.rejected += 1;
      counts.errors += 1;
    };
    const bytes = Buffer.byteLength(raw.payloadJson);
    if (bytes > limits.maxRecordBytes) {
      reject(undefined, 'too-large', `record is ${bytes} bytes, over the cap of ${limits.maxRecordBytes}`);
      continue;
    }
    const result = map(raw.payload);
    if (!result.ok) {
      const first = result.issues.find((issue) => issue.severity === 'error') ?? result.issues[0];
      reject(first?.field, first?.rule ?? 'invalid', first?.message ?? 'record rejected');
      continue;
    }
    const distributions = result.record.distribution?.length ?? 0;
    if (distributions > limits.maxDistributions) {
      reject('distribution', 'too-many', `record has ${distributions} distributions, over the cap of ${limits.maxDistributions}`);
      continue;
    }
    const ruleBreaks = result.issues.filter((issue) => issue.severity === 'error');
    if (ruleBreaks.length > 0) {
      counts.flagged += 1;
      // Kept and served, flagged: real catalogues are incomplete and users still want to find the dataset.
      for (const issue of ruleBreaks) {
        errors.push({ sourceId: source.id, nativeId: raw.nativeId, stage: 'validate', field: issue.field, rule: issue.rule, message: issue.message });
      }
    }
    changed.push({ nativeId: raw.nativeId, payloadJson: raw.payloadJson, contentHash: raw.hash, record: result.record, issues: result.issues });
  }

  const written = writeRecordPage(db, { sourceId: source.id, priority: source.priority, runId, changed, unchangedNativeIds, errors });
  counts.created += written.created;
  counts.updated += written.updated;
  counts.unchanged += written.unchanged;
}

/** The cause name a whole-run failure is grouped under in run reports. */
function errorRule(err: unknown): string {
  if (err instanceof HttpError) return err.kind === 'status' ? `http-${err.status}` : err.kind;
  if (err instanceof MalformedBodyError) return 'malformed-json';
  if (err instanceof SourceProtocolError) return 'protocol';
  return 'error';
}
