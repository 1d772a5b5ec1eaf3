import t, { type Test } from 'tap';
import { join } from 'node:path';
import { forgetDcatUsDocuments } from '../../connectors/dcat-us.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { Db } from '../../src/store/database.js';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { datasetMembers, needsKeyBackfill } from '../../src/store/identity.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { startFakeSource } from '../helpers/source-harness.js';

/**
 * Which identifiers of a source say that records of several portals are one dataset (issue 13,
 * item 5), end to end: data.json catalogues on loopback, the real Harvester, a real SQLite file.
 * The portals' catalogues are fixtures of our own (test/fixtures/identity/SOURCES.md).
 */

type Raw = Record<string, unknown>;

interface Portals {
  db: Db;
  path: string;
  harvester: Harvester;
  /** Live datasets: identifier → record. */
  live(): Map<string, Raw>;
  candidates(): Array<[string, string]>;
}

/** One DCAT-US source per catalogue, all harvested into one store. */
async function portals(t: Test, catalogues: Record<string, unknown>): Promise<Portals> {
  forgetDcatUsDocuments();
  const sources = [];
  for (const [id, document] of Object.entries(catalogues)) {
    const site = await startFakeSource(t, '/data.json', 'application/json', () => ({ body: JSON.stringify(document) }));
    sources.push({ id, name: id, type: 'dcat-us', url: site.url, schedule: '0 3 * * *', priority: 0, options: {} });
  }
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'catalog.db');
  const config = testConfig(path, '', { sources });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  for (const id of Object.keys(catalogues)) t.equal((await harvester.run(id))?.status, 'succeeded', `${id} harvested`);
  return {
    db,
    path,
    harvester,
    live: () =>
      new Map(
        (
          db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL AND merged_into IS NULL ORDER BY identifier').raw().all() as Array<
            [string, string]
          >
        ).map(([identifier, record]) => [identifier, JSON.parse(record) as Raw]),
      ),
    // Each pair in code-unit order: which of the two is `a` is resolution's business.
    candidates: () =>
      (db.prepare("SELECT a_source || ':' || a_native, b_source || ':' || b_native FROM identity_candidates").raw().all() as Array<[string, string]>)
        .map((pair) => pair.sort() as [string, string])
        .sort((x, y) => (x.join('\n') < y.join('\n') ? -1 : 1)),
  };
}

const catalogue = (name: string): Raw => readFixture<Raw>('identity', `dcat-us-${name}.json`);

/** A DCAT-US catalogue of these datasets. */
const catalogueOf = (...dataset: Raw[]): Raw => ({ conformsTo: 'https://project-open-data.cio.gov/v1.1/schema', dataset });

t.test('one DCAT-US dataset federated by three portals (en, es, it) is one dataset; a local id shared by two publishers is not', async (t) => {
  const p = await portals(t, { en: catalogue('portal-en'), es: catalogue('portal-es'), it: catalogue('portal-it') });
  const live = p.live();
  t.same([...live.keys()], ['abcd-1234', 'budg-2024', 'budg-2024~es'], 'the tree census once; the two budgets apart');
  t.same(
    datasetMembers(p.db, 'abcd-1234').map((m) => m.sourceId),
    ['en', 'es', 'it'],
    'its members: the same identifier from the same publisher on each portal',
  );
  t.equal(live.get('budg-2024')!.title, 'County Budget 2024');
  t.equal(live.get('budg-2024~es')!.title, 'Presupuesto municipal 2024', "another publisher's budg-2024 is another dataset");
  // Served as the sources said it, not in the form compared.
  t.equal(live.get('abcd-1234')!.identifier, 'abcd-1234');
});

/** A DCAT-US dataset whose identifier is a UUID, as data.gov's harvests write them. */
const berlinAir = () =>
  uuidDataset(
    '5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c',
    'Luftmessstationen Berlin',
    'Standorte und Messwerte der Luftgütemessstationen in Berlin.',
    'Senatsverwaltung für Umwelt',
    'https://example.org/dataset',
  );
const taipeiParks = () =>
  uuidDataset(
    'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
    '臺北市公園清單',
    '臺北市各行政區公園名稱、面積、地址與設施資料。',
    '臺北市政府工務局公園路燈工程管理處',
    'https://example.org/dataset',
  );

function uuidDataset(identifier: string, title: string, description: string, publisher: string, landingPage: string): Raw {
  return {
    identifier,
    title,
    description,
    keyword: ['open data'],
    modified: '2024-05-01',
    publisher: { name: publisher },
    contactPoint: { fn: publisher, hasEmail: 'mailto:open@agency.gov.tw' },
    accessLevel: 'public',
    landingPage,
  };
}

t.test('a placeholder landing page joins nothing: two datasets with different UUIDs stay two', async (t) => {
  const p = await portals(t, {
    de: catalogueOf(berlinAir()),
    'zh-hant': catalogueOf(taipeiParks()),
  });
  t.same([...p.live().keys()], ['5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c', 'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f'], 'two datasets');
});

t.test('two different UUIDs veto a join by a shared landing page on a real host', async (t) => {
  // A portal that points every dataset at its search page: the same landing page, two datasets.
  const p = await portals(t, {
    de: catalogueOf(
      uuidDataset(
        '5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c',
        'Luftmessstationen Berlin',
        'Standorte und Messwerte der Luftgütemessstationen in Berlin.',
        'Senatsverwaltung für Umwelt',
        'https://daten.berlin.de/datensaetze?q=umwelt',
      ),
    ),
    it: catalogueOf(
      uuidDataset(
        'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
        "Stazioni di qualità dell'aria",
        "Posizione e misure delle stazioni di monitoraggio della qualità dell'aria.",
        'Regione Lombardia',
        'https://daten.berlin.de/datensaetze?q=umwelt',
      ),
    ),
  });
  t.same([...p.live().keys()], ['5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c', 'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f'], 'two datasets');

  // The same UUID under that landing page is one dataset: the veto only keeps apart what the identifiers say differs.
  const q = await portals(t, {
    de: catalogueOf(
      uuidDataset(
        '5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c',
        'Luftmessstationen Berlin',
        'Standorte und Messwerte der Luftgütemessstationen in Berlin.',
        'Senatsverwaltung für Umwelt',
        'https://daten.berlin.de/datensaetze?q=umwelt',
      ),
    ),
    es: catalogueOf(
      uuidDataset(
        '5B4A2C9E-8A4F-4F0E-9D57-0C1E2F3A4B5C',
        'Estaciones de medición del aire de Berlín',
        'Ubicación y mediciones de las estaciones de calidad del aire de Berlín.',
        'Senatsverwaltung für Umwelt',
        'https://daten.berlin.de/datensaetze?q=umwelt',
      ),
    ),
  });
  t.same([...q.live().keys()], ['5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c'], 'one dataset');
});

t.test('records that look identical but share no key are a candidate for review', async (t) => {
  // No publisher (so no title + publisher key), no URL, each portal's own serial: nothing joins
  // them, but an operator should see them.
  const lookalike = (identifier: string): Raw => ({
    identifier,
    title: 'Registro de Biblioteca Municipal',
    description: 'Inventario de libros, préstamos y horarios de las bibliotecas municipales, actualizado cada mes.',
    keyword: ['bibliotecas'],
    modified: '2024-02-01',
  });
  const p = await portals(t, {
    es: catalogueOf(lookalike('bib-0001'), {
      identifier: 'otro-1',
      title: 'Otro conjunto',
      description: 'Nada que ver con las bibliotecas de la ciudad, en absoluto.',
    }),
    'es-mx': catalogueOf(lookalike('BIB/77')),
  });
  t.same([...p.live().keys()], ['BIB/77', 'bib-0001', 'otro-1'], 'kept apart: nothing says they are one');
  t.same(p.candidates(), [['es-mx:BIB/77', 'es:bib-0001']], 'listed for review');
});

t.test('a store keyed by the old rules is keyed again on upgrade (migration 9), and its datasets follow', async (t) => {
  const p = await portals(t, {
    en: catalogue('portal-en'),
    es: catalogue('portal-es'),
    it: catalogue('portal-it'),
    de: catalogueOf(berlinAir()),
    'zh-hant': catalogueOf(taipeiParks()),
  });
  // What version 8 stored: no DCAT-US or lookalike keys, landing keys on example.org; resolved
  // with them (by today's clustering, whose UUID veto keeps the two UUIDs apart all the same).
  p.db.prepare("DELETE FROM record_keys WHERE kind = 'lookalike' OR (kind = 'agency' AND value LIKE 'dcat-us:%')").run();
  const landing = p.db.prepare("INSERT INTO record_keys (kind, value, source_id, native_id) VALUES ('landing', 'https://example.org/dataset', ?, ?)");
  landing.run('de', '5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c');
  landing.run('zh-hant', 'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f');
  p.db.prepare("UPDATE store_state SET value = '1' WHERE key = 'identity_dirty'").run();
  await resolveIdentity(sqliteStoreOn(p.db));
  t.same(
    [...p.live().keys()],
    ['5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c', 'abcd-1234', 'abcd-1234~es', 'abcd-1234~it', 'budg-2024', 'budg-2024~es', 'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f'],
    'before: the federated dataset three times',
  );
  p.db.pragma('user_version = 8');
  p.db.close();

  const db = openDatabase(p.path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  t.equal(db.prepare('SELECT COUNT(*) FROM record_keys').pluck().get(), 0, 'the old keys are gone');
  t.ok(needsKeyBackfill(db), 'and are computed again at the next resolution');
  const outcome = await resolveIdentity(sqliteStoreOn(db));
  t.notOk(needsKeyBackfill(db));
  t.equal(db.prepare("SELECT COUNT(*) FROM record_keys WHERE value = 'https://example.org/dataset'").pluck().get(), 0, 'no key on the placeholder host');
  const live = db.prepare('SELECT identifier FROM datasets WHERE withdrawn_at IS NULL AND merged_into IS NULL ORDER BY identifier').pluck().all() as string[];
  t.same(
    live,
    ['5b4a2c9e-8a4f-4f0e-9d57-0c1e2f3a4b5c', 'abcd-1234', 'budg-2024', 'budg-2024~es', 'c2d3e4f5-0a1b-4c2d-8e3f-4a5b6c7d8e9f'],
    'after: one federated dataset, two UUID datasets',
  );
  t.same(
    db.prepare('SELECT identifier, merged_into FROM dataset_entries WHERE merged_into IS NOT NULL ORDER BY identifier').raw().all(),
    [
      ['abcd-1234~es', 'abcd-1234'],
      ['abcd-1234~it', 'abcd-1234'],
    ],
    'the copies redirect to the dataset that survived',
  );
  t.match(outcome, { absorbed: 2, created: 0 }, 'two absorbed, none created: every dataset keeps the identifier it had');
});
