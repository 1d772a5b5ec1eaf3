/**
 * The store contract's test suite (src/store/contract): what any implementation must do, checked
 * only through the contract. `openFresh` gives an empty store of the implementation under test;
 * test/store/store-contract-sqlite.test.ts runs it on the embedded SQLite store, and a second
 * backend runs the same suite.
 */
import type { Test } from 'tap';
import type { Store } from '../../../src/store/contract/store.js';
import type { SourceConfig } from '../../../src/config/types.js';
import type { MappedRecord } from '../../../src/store/records.js';
import { contentHash } from '../../../src/store/records.js';
import { SourceBusyError } from '../../../src/store/runs.js';
import { CursorMovedError, NotAMirrorError } from '../../../src/store/mirror-sources.js';
import { mapNationalRecord } from '../../../src/mapping/detect.js';
import { resolveIdentity } from '../../../src/identity/resolve.js';
import { fileSource } from '../../helpers/file-source.js';

export type OpenFreshStore = (t: Test) => Promise<Store>;

type Raw = Record<string, unknown>;

/** A file source with a name in Chinese: names are kept exactly as configured. */
function source(id: string, priority: number, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return fileSource(id, priority, { name: `來源 ${id}`, ...overrides });
}

function raw(identifier: string, overrides: Raw = {}): Raw {
  return {
    identifier,
    title: `資料集 ${identifier}`,
    description: 'Population statistics, by district.',
    publisher: '國家發展委員會',
    modified: '2025-01-01 10:00:00',
    keyword: ['人口', 'population'],
    distribution: [{ resourceID: `${identifier}-001`, format: 'CSV', downloadURL: `http://127.0.0.1:9/${identifier}.csv` }],
    ...overrides,
  };
}

function mapped(record: Raw): MappedRecord {
  const result = mapNationalRecord(record);
  if (!result.ok) throw new Error(`contract fixture did not map: ${JSON.stringify(result.issues)}`);
  const payloadJson = JSON.stringify(record);
  return { nativeId: String(record.identifier), payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues };
}

const NO_COUNTS = { pages: 1, seen: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, flagged: 0, withdrawn: 0, errors: 0 };

/** One page of a run of `sourceId`, the run finished as succeeded. */
async function harvest(store: Store, sourceId: string, records: readonly Raw[], present: readonly string[] = []): Promise<number> {
  const runId = await store.runs.queueRun(sourceId);
  await store.runs.markRunStarted(runId, null);
  await store.records.writeRecordPage({
    sourceId,
    priority: 0,
    runId,
    changed: records.map(mapped),
    presentNativeIds: present,
    refreshedValidators: [],
    errors: [],
  });
  await store.runs.finishRun(runId, { status: 'succeeded', counts: { ...NO_COUNTS, seen: records.length + present.length }, message: null });
  return runId;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function storeContract(t: Test, openFresh: OpenFreshStore): void {
  t.test('sources: synced from the configuration, kept when dropped, credentials never stored', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10), source('portal', 0, { url: 'https://u:secret@portal.example/api?apikey=abc' })]);
    await store.sources.syncSources([source('city', 10)]);
    const rows = await store.sources.listSources();
    t.same(rows.map((r) => r.id).sort(), ['city', 'portal'], 'a source dropped from the configuration keeps its row');
    const portal = rows.find((r) => r.id === 'portal')!;
    t.notMatch(portal.url, /secret|abc/, 'the stored URL is redacted');
    t.equal(portal.name, '來源 portal', 'names kept exactly (CJK)');
  });

  t.test('runs: one live run per source, start, errors, cancel, finish, history', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10), source('portal', 0)]);
    const first = await store.runs.queueRun('city');
    await t.rejects(store.runs.queueRun('city'), SourceBusyError, 'a second live run of the source is refused');
    const other = await store.runs.queueRun('portal');
    t.not(other, first, 'another source runs at the same time');
    t.equal(await store.runs.anyLiveRun(), true);
    t.equal(await store.runs.markRunStarted(first, '2025-01-01T00:00:00Z'), true);
    t.equal(await store.runs.requestCancel(first), 'requested', 'a running run is asked to stop');
    t.equal(await store.runs.isCancelRequested(first), true);
    t.equal(await store.runs.requestCancel(other), 'cancelled', 'a queued run is cancelled at once');
    t.equal(await store.runs.markRunStarted(other, null), false, 'a cancelled run does not start');
    await store.runs.recordRunErrors(first, [
      { sourceId: 'city', nativeId: 'A-1', stage: 'map', field: 'title', rule: 'required', message: 'no title at https://u:pw@city.example/x' },
      { sourceId: 'city', nativeId: 'A-2', stage: 'map', field: 'title', rule: 'required', message: 'no title' },
      { sourceId: 'city', stage: 'fetch', message: 'HTTP 503' },
    ]);
    await store.runs.finishRun(first, { status: 'partial', counts: { ...NO_COUNTS, errors: 3 }, message: 'fetch failed' });
    t.equal(await store.runs.requestCancel(first), 'not-open');
    t.equal(await store.runs.anyLiveRun(), false);
    const last = await store.runs.lastRun('city');
    t.match(last, { id: first, source_id: 'city', status: 'partial', incremental_since: '2025-01-01T00:00:00Z', error_count: 3, message: 'fetch failed' });
    t.equal(await store.runs.lastSucceededRun('city'), undefined, 'a partial run is not a succeeded one');
    const errors = await store.runs.runErrors(first);
    t.equal(errors.length, 3);
    t.notMatch(errors.map((e) => e.message).join('\n'), /pw@/, 'error messages are stored redacted');
    const groups = await store.runs.runErrorGroups(first);
    t.ok(groups.length >= 2, 'errors grouped by cause');
    t.same(
      (await store.runs.listRuns()).map((r) => r.id).sort((a, b) => a - b),
      [first, other].sort((a, b) => a - b),
    );
    t.same(
      (await store.runs.listRuns('portal')).map((r) => r.status),
      ['cancelled'],
    );
    t.equal(await store.runs.closeAbandonedRuns([first, other], 'thread died'), 0, 'closed runs are not closed again');
    const third = await store.runs.queueRun('city');
    t.equal(await store.runs.closeAbandonedRuns([third], 'the harvest thread ended'), 1);
    t.match(await store.runs.lastRun('city'), { id: third, status: 'failed', message: 'the harvest thread ended' });
  });

  t.test('records, identity and the catalogue: a page written, resolved, read back, changed, withdrawn', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10), source('portal', 0)]);
    await harvest(store, 'city', [raw('A41000000G-000001'), raw('A41000000G-000002', { title: 'Air quality 空氣品質', keyword: ['air'] })]);
    t.equal(await store.identity.isIdentityDirty(), true, 'a stored record marks identity for resolution');
    const states = await store.records.storedStates('city', ['A41000000G-000001', 'missing']);
    t.same([...states.keys()], ['A41000000G-000001'], 'stored states of the records the store has');

    const outcome = await resolveIdentity(store);
    t.match(outcome, { records: 2, datasets: 2, created: 2 });
    t.equal(await store.identity.isIdentityDirty(), false);
    t.equal(await store.catalogue.countDatasets(), 2);
    t.same(await store.catalogue.listIdentifiers({ limit: 10, offset: 0 }), ['A41000000G-000001', 'A41000000G-000002']);
    const dataset = await store.catalogue.getDataset('A41000000G-000002');
    t.equal(dataset?.record.title, 'Air quality 空氣品質', 'the record as mapped, text exactly');
    t.equal(await store.catalogue.getDataset('nope'), undefined);
    t.same(
      (await collect(store.catalogue.liveDatasetsInIdentifierOrder({ pageSize: 1 }))).map((d) => d.identifier),
      ['A41000000G-000001', 'A41000000G-000002'],
      'the stream pages through everything in order',
    );
    t.ok(await store.catalogue.catalogueChangedAt(), 'the catalogue has a last change');
    const version = await store.catalogue.storeVersion();

    // The same dataset from a second source joins the first: one dataset, two members.
    await harvest(store, 'portal', [raw('A41000000G-000001', { title: '資料集 A41000000G-000001（入口網）' })]);
    const joined = await resolveIdentity(store);
    t.match(joined, { records: 3, datasets: 2 });
    t.same((await store.identity.datasetMembers('A41000000G-000001')).map((m) => m.sourceId).sort(), ['city', 'portal']);
    t.ok(await store.identity.explainDataset('A41000000G-000001'), 'a dataset of two members is explained');
    t.not(await store.catalogue.storeVersion(), version, 'the store version moves when what is served changes');

    const feed = await store.changes.readFeed(0, 100);
    t.same(
      feed.events.map((e) => [e.identifier, e.kind]).sort(),
      [
        ['A41000000G-000001', 'created'],
        ['A41000000G-000002', 'created'],
      ],
      'the feed gives each dataset once, at its latest change',
    );
    t.equal((await store.changes.feedState()).latestSeq, feed.nextSeq);
    t.ok((await store.changes.listChanges()).length >= 2);

    const search = await store.search.searchDatasets({ q: '空氣', limit: 10, offset: 0, facets: true });
    t.same(search.identifiers, ['A41000000G-000002'], 'CJK full-text search');
    t.ok(search.facets?.publisher.some((f) => f.value === '國家發展委員會'));
    t.same((await store.search.searchDatasets({ q: 'air', limit: 10, offset: 0 })).identifiers, ['A41000000G-000002'], 'Latin full-text search');
    t.same(await store.catalogue.listKeywords(), ['air', 'population', '人口'].sort(), 'keywords, exactly as sent');
    t.same((await store.catalogue.datasetsWithKeyword('air')).identifiers, ['A41000000G-000002']);

    // Withdrawn by the source: the dataset of one member leaves; the joined one keeps its other member.
    t.same(await store.records.withdrawDeleted('city', ['A41000000G-000002']), ['A41000000G-000002']);
    const withdrawn = await resolveIdentity(store);
    t.match(withdrawn, { withdrawn: 1 });
    t.equal(await store.catalogue.countDatasets(), 1);
    const after = await store.changes.readFeed(feed.nextSeq, 100);
    t.same(
      after.events.map((e) => [e.identifier, e.kind]),
      [['A41000000G-000002', 'withdrawn']],
    );
  });

  t.test('withdrawals of a source that stops listing records, with the share guard', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10)]);
    await harvest(store, 'city', [raw('A41000000G-000001'), raw('A41000000G-000002')]);
    const second = await harvest(store, 'city', [], ['A41000000G-000001']);
    const refused = await store.records.withdrawMissing('city', second, 0, 0.1);
    t.match(refused, { missing: 1, withdrawn: [] }, 'half the source gone is refused as a glitch');
    t.ok(refused.refusedShare !== undefined && refused.refusedShare > 0.1);
    const done = await store.records.withdrawMissing('city', second, 0);
    t.same(done.withdrawn, ['A41000000G-000002'], 'missing past the grace: withdrawn');
  });

  t.test('identity overrides: saved, listed, removed', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10), source('portal', 0)]);
    await harvest(store, 'city', [raw('A41000000G-000001')]);
    await harvest(store, 'portal', [raw('A41000000G-000009', { title: 'Another' })]);
    const a = { sourceId: 'city', nativeId: 'A41000000G-000001' };
    const b = { sourceId: 'portal', nativeId: 'A41000000G-000009' };
    t.equal(await store.identity.recordExists(a), true);
    t.equal(await store.identity.recordExists({ sourceId: 'city', nativeId: 'none' }), false);
    await store.identity.saveOverride('join', a, b, 'same survey');
    const [override] = await store.identity.listOverrides();
    t.match(override, { kind: 'join', a, b });
    await resolveIdentity(store);
    t.equal(await store.catalogue.countDatasets(), 1, 'a join decision merges the two');
    t.equal(await store.identity.removeOverride(override!.id), true);
    t.equal(await store.identity.removeOverride(override!.id), false, 'removing twice says so');
    await resolveIdentity(store);
    t.equal(await store.catalogue.countDatasets(), 2);
  });

  t.test('API keys: stored by hash, listed without it, revoked once, touched', async (t) => {
    const store = await openFresh(t);
    const key = await store.apiKeys.insertApiKey({ id: 'k1', sha256: 'f'.repeat(64), publisher: '臺北市政府', orgCode: '379000000A', allow: ['127.0.0.0/8'] });
    t.match(key, { id: 'k1', publisher: '臺北市政府', orgCode: '379000000A', allow: ['127.0.0.0/8'], revokedAt: null });
    t.notOk('sha256' in key, 'the hash never leaves in a listing');
    t.equal((await store.apiKeys.findApiKey('k1'))?.sha256, 'f'.repeat(64));
    t.ok(
      (await store.sources.listSources()).some((s) => s.id === key.sourceId),
      'the publisher has a push source',
    );
    await store.apiKeys.touchApiKey('k1', '2026-01-01T00:00:00Z');
    t.equal((await store.apiKeys.listApiKeys())[0]?.lastUsedAt, '2026-01-01T00:00:00Z');
    t.match(await store.apiKeys.revokeApiKey('k1'), { already: false });
    t.match(await store.apiKeys.revokeApiKey('k1'), { already: true });
    t.equal(await store.apiKeys.revokeApiKey('nope'), undefined);
  });

  t.test('push: a call is one transaction, written whole or not at all', async (t) => {
    const store = await openFresh(t);
    const key = await store.apiKeys.insertApiKey({ id: 'k1', sha256: 'e'.repeat(64), publisher: 'Ville de Lyon', orgCode: 'LYON', allow: [] });
    const record = mapped(raw('LYON-0001', { title: 'Qualité de l’air', publisher: 'Ville de Lyon' }));
    const sourceId = key.sourceId;
    await store.push.inPushTransaction(async (tx) => {
      t.equal(await tx.pushedRecordState(sourceId, 'LYON-0001'), undefined, 'nothing pushed yet');
      const datasetId = await tx.assignPushDatasetId(sourceId, 'LYON-0001', '2026-12-01T00:00:00Z');
      t.equal(await tx.pushDatasetIdOf(sourceId, 'LYON-0001'), datasetId);
      t.same(await tx.pushedRecordOfDatasetId(datasetId), { sourceId, identifier: 'LYON-0001' });
      await tx.writePushedRecord(
        { sourceId, nativeId: 'LYON-0001', payloadJson: record.payloadJson, contentHash: record.contentHash, record: record.record, issues: record.issues },
        undefined,
        '2026-12-01T00:00:00Z',
      );
      await tx.touchApiKey('k1', '2026-12-01T00:00:00Z');
    });
    const state = await store.push.pushedRecordState(sourceId, 'LYON-0001');
    t.match(state, { contentHash: record.contentHash, withdrawn: false }, 'committed with the call');
    t.equal(state?.record.title, 'Qualité de l’air', 'text exactly as pushed');
    t.equal((await store.apiKeys.findApiKey('k1'))?.lastUsedAt, '2026-12-01T00:00:00Z');

    // A refusal half-way writes nothing of the call: not the withdrawal, not the key's use.
    await t.rejects(
      store.push.inPushTransaction(async (tx) => {
        t.equal(await tx.withdrawPushedRecord(sourceId, 'LYON-0001'), true);
        await tx.touchApiKey('k1', '2026-12-02T00:00:00Z');
        throw new Error('409 stale');
      }),
      /409 stale/,
    );
    t.match(await store.push.pushedRecordState(sourceId, 'LYON-0001'), { withdrawn: false }, 'rolled back');
    t.equal((await store.apiKeys.findApiKey('k1'))?.lastUsedAt, '2026-12-01T00:00:00Z');
    t.equal(await store.identity.isIdentityDirty(), true, 'a pushed record waits for resolution');
    await resolveIdentity(store);
    t.equal((await store.catalogue.getDataset('LYON-0001'))?.record.publisher, 'Ville de Lyon', 'served after resolution');
  });

  t.test('mirror: a page and its cursor in one transaction, a moved cursor refused, a walk from the start withdraws the unseen', async (t) => {
    const store = await openFresh(t);
    await store.sources.syncSources([source('city', 10)]);
    const mirror = await store.mirror.ensureMirrorSource({ sourceId: 'mirror-hub.example', url: 'https://hub.example/', priority: 5 });
    t.match(mirror, { id: 'mirror-hub.example', url: 'https://hub.example/', priority: 5, cursor: undefined });
    await t.rejects(store.mirror.ensureMirrorSource({ sourceId: 'city', url: 'https://x.example/' }), NotAMirrorError, 'a harvested source is not taken over');
    t.same(await store.mirror.listMirrorSourceIds(), ['mirror-hub.example']);
    const page = async (since: string | undefined, nextCursor: string, last: boolean, records: readonly Raw[], present: readonly string[] = []) => {
      const runId = await store.runs.queueRun('mirror-hub.example');
      await store.runs.markRunStarted(runId, null);
      try {
        return await store.mirror.writeMirrorPage({
          sourceId: 'mirror-hub.example',
          priority: 5,
          runId,
          since,
          nextCursor,
          last,
          changed: records.map(mapped),
          present,
          withdrawn: [],
          errors: [],
        });
      } finally {
        await store.runs.finishRun(runId, { status: 'succeeded', counts: NO_COUNTS, message: null });
      }
    };
    await page(undefined, 'c1', false, [raw('A41000000G-000001'), raw('A41000000G-000002')]);
    t.equal((await store.mirror.readMirror('mirror-hub.example'))?.cursor, 'c1', 'the cursor moved with the page');
    await t.rejects(page('c0', 'c9', true, [raw('A41000000G-000003')]), CursorMovedError, 'a page asked from another cursor is refused');
    t.same(
      [...(await store.mirror.mirroredStates('mirror-hub.example', ['A41000000G-000001', 'A41000000G-000003'])).keys()],
      ['A41000000G-000001'],
      'and wrote nothing',
    );
    await page('c1', 'c2', true, []);
    t.equal(await store.mirror.countLiveMirroredRecords('mirror-hub.example'), 2);

    await store.mirror.resetMirror('mirror-hub.example');
    t.equal((await store.mirror.readMirror('mirror-hub.example'))?.cursor, undefined, 'reset: the next sync walks from the beginning');
    const walked = await page(undefined, 'c3', true, [], ['A41000000G-000001']);
    t.equal(walked.withdrawn, 1, 'the walk from the start did not see one record: withdrawn');
    t.equal(await store.mirror.countLiveMirroredRecords('mirror-hub.example'), 1);
    t.same(
      (await store.mirror.listMirrors()).map((m) => [m.id, m.cursor]),
      [['mirror-hub.example', 'c3']],
    );
  });

  t.test('a closed store refuses work instead of answering from nothing', async (t) => {
    const store = await openFresh(t);
    t.ok((await store.schemaVersion()) > 0, 'migrated');
    await store.close();
    await t.rejects(store.catalogue.countDatasets(), /closed/);
  });
}
