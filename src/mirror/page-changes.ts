/**
 * A page of upstream changes → what the store writes: each created/updated record hashed and,
 * when it changed, read; withdrawals listed. A record that cannot be taken is a typed error of
 * the run, and the sync goes on.
 *
 * What is stored (payload and record) is the upstream's own stored form, `national`, when the
 * change carries it: checked, not mapped (national-record.ts), so the mirror serves exactly what
 * the upstream serves, extensions included. From an older upstream, whose changes carry only the
 * gen-1 `record`, the payload is that record, mapped with 'tw-national' as a cross-platform
 * source's records are (the extensions are then lost: gen-1 has no place for them). An upstream
 * upgraded meanwhile sends different payloads for the same datasets, so each is stored again once.
 */
import type { RunCounts, RunErrorRecord } from '../store/runs.js';
import type { MappedRecord } from '../store/records.js';
import { MAPPERS } from '../mapping/index.js';
import { admitPayload, mapAdmitted, refuseNativeId, type RecordLimits, type RecordRefusal } from '../harvest/record-door.js';
import type { FeedPage } from './feed-page.js';
import { readNationalRecord } from './national-record.js';

export interface StoredMirrorState {
  contentHash: string;
  withdrawn: boolean;
}

export interface PageChanges {
  changed: MappedRecord[];
  present: string[];
  withdrawn: string[];
  errors: RunErrorRecord[];
}

const map = MAPPERS['tw-national'];

/**
 * `stored` is what the store holds of the page's identifiers. `counts` gets seen, unchanged,
 * rejected, flagged and errors (created, updated and withdrawn are counted by the write).
 */
export function pageChanges(
  sourceId: string,
  page: FeedPage,
  stored: ReadonlyMap<string, StoredMirrorState>,
  limits: RecordLimits,
  counts: RunCounts,
): PageChanges {
  const out: PageChanges = { changed: [], present: [], withdrawn: [], errors: [] };
  counts.seen += page.changes.length;
  for (const change of page.changes) {
    if (change.kind === 'withdrawn') {
      out.withdrawn.push(change.identifier);
      continue;
    }
    const nativeId = change.identifier;
    const before = stored.get(nativeId);
    const reject = (refusal: RecordRefusal): void => {
      out.errors.push({ sourceId, nativeId, stage: 'map', field: refusal.field, rule: refusal.rule, message: refusal.message });
      // The copy stored before stays, and stays live: the dataset is live upstream. A withdrawn
      // copy stays withdrawn: what upstream serves now could not be read, and the old copy is not it.
      if (before && !before.withdrawn) out.present.push(nativeId);
      counts.rejected += 1;
      counts.errors += 1;
    };
    const badId = refuseNativeId(nativeId);
    if (badId !== undefined) {
      out.errors.push({ sourceId, nativeId, stage: 'map', field: badId.field, rule: badId.rule, message: badId.message });
      counts.rejected += 1;
      counts.errors += 1;
      continue;
    }
    const payload = admitPayload(change.national !== undefined ? change.national : change.record, limits);
    if (!payload.ok) {
      reject(payload);
      continue;
    }
    // A withdrawn record coming back is written again even when its content is the same: its
    // identity keys were dropped when it was withdrawn (src/store/mirror-pages.ts), and writing restores them.
    if (before && before.contentHash === payload.hash && !before.withdrawn) {
      out.present.push(nativeId);
      counts.unchanged += 1;
      continue;
    }
    const mapped = mapAdmitted(payload, change.national !== undefined ? (national: unknown) => readNationalRecord(national, limits) : map, limits);
    if (!mapped.ok) {
      reject(mapped);
      continue;
    }
    // The upstream serves a dataset's record under the dataset's identifier; another one would
    // name the dataset differently here, and the mirror must keep the upstream identifiers.
    if (mapped.record.identifier !== nativeId) {
      reject({
        ok: false,
        field: 'identifier',
        rule: 'identifier-mismatch',
        message: `the change is for ${nativeId} but its record's identifier is ${JSON.stringify(mapped.record.identifier)}`,
      });
      continue;
    }
    if (mapped.ruleBreaks.length > 0) {
      // Kept and served, flagged, as a harvest does: the upstream serves it.
      counts.flagged += 1;
      for (const issue of mapped.ruleBreaks)
        out.errors.push({ sourceId, nativeId, stage: 'validate', field: issue.field, rule: issue.rule, message: issue.message });
    }
    out.changed.push({ nativeId, payloadJson: payload.payloadJson, contentHash: payload.hash, record: mapped.record, issues: mapped.issues });
  }
  return out;
}
