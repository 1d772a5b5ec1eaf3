import t from 'tap';
import { startFederation } from '../helpers/federation.js';
import { dcatApViolations } from '../helpers/dcat-ap.js';
import { ADMS_STATUS_WITHDRAWN, markWithdrawn } from '../../src/views/dcat-withdrawn.js';

/**
 * GET /catalog?modified_since=…&include_withdrawn=true (issue 7): a DCAT harvester syncing by
 * date learns deletions too. A loopback fixture platform harvested into a real SQLite store.
 */

type Node = Record<string, unknown>;
const PUBLIC_URL = 'https://gateway.example.tw';
const id = (serial: number): string => `A41000000G-${String(serial).padStart(6, '0')}`;

function record(serial: number, modified = '2025-01-01 10:00:00', title = `資料集${serial}`): Record<string, unknown> {
  return {
    identifier: id(serial),
    title,
    description: '統計資料。',
    type: 'rawData',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會資訊管理處',
    organizationContactName: '王小明',
    organizationContactEmail: 'opendata@example.gov.tw',
    publisherContactName: '王小明',
    publisherContactEmail: 'opendata@example.gov.tw',
    accrualPeriodicity: '每月',
    modified,
    distribution: [{ resourceID: `${id(serial)}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${serial}.csv`, resourceDescription: '統計表' }],
  };
}

const statusOf = (node: Node): string | undefined => (node['adms:status'] as { '@id'?: string } | undefined)?.['@id'];

t.test('include_withdrawn lists what changed since an instant, deletions marked', async (t) => {
  const f = await startFederation(
    t,
    [1, 2, 3, 4, 5].map((n) => record(n)),
    PUBLIC_URL,
    { withdrawAfterHours: 0 },
  );
  t.equal((await f.harvester.run('fixture'))?.status, 'succeeded');
  const since = new Date(Date.now() - 1000).toISOString();
  f.platform.records.delete(id(2));
  f.platform.records.delete(id(4));
  f.platform.records.set(id(3), record(3, new Date().toISOString().replace(/\.\d+Z$/, 'Z'), '資料集3（修訂）'));
  t.equal((await f.harvester.run('fixture'))?.status, 'succeeded');

  const page = async (query: string, path = '/catalog'): Promise<{ status: number; doc: Node; nodes: Node[]; link: string | null }> => {
    const res = await fetch(`${f.base}${path}?${query}`);
    const text = await res.text();
    const doc = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Node) : { text };
    return { status: res.status, doc, nodes: (doc['dcat:dataset'] ?? []) as Node[], link: res.headers.get('link') };
  };
  const q = `modified_since=${encodeURIComponent(since)}`;

  await t.test('changed and withdrawn since the instant, in identifier order; the withdrawn marked', async (t) => {
    const { status, doc, nodes } = await page(`${q}&include_withdrawn=true`);
    t.equal(status, 200);
    t.same(
      nodes.map((n) => n['dct:identifier']),
      [id(2), id(3), id(4)],
    );
    t.same(nodes.map(statusOf), [ADMS_STATUS_WITHDRAWN, undefined, ADMS_STATUS_WITHDRAWN]);
    t.equal(nodes[0]!['@id'], `${PUBLIC_URL}/dataset/${id(2)}`, 'the withdrawn dataset keeps its IRI');
    t.equal((doc['hydra:view'] as Node)['hydra:totalItems'], 3);
    t.same(await dcatApViolations(doc), [], 'the page, tombstones included, passes the DCAT-AP shapes');
  });

  await t.test('without include_withdrawn only the live change is listed', async (t) => {
    t.same(
      (await page(q)).nodes.map((n) => n['dct:identifier']),
      [id(3)],
    );
    t.same(
      (await page(`${q}&include_withdrawn=false`)).nodes.map((n) => n['dct:identifier']),
      [id(3)],
    );
  });

  await t.test('following next links walks the listing and keeps include_withdrawn', async (t) => {
    const seen: unknown[] = [];
    let query: string | undefined = `${q}&include_withdrawn=true&pageSize=1`;
    while (query !== undefined) {
      const { nodes, link } = await page(query);
      seen.push(...nodes.map((n) => n['dct:identifier']));
      const next = /<([^>]+)>; rel="next"/.exec(link ?? '')?.[1];
      if (next !== undefined) t.match(next, /include_withdrawn=true/);
      query = next === undefined ? undefined : new URL(next).search.slice(1);
      if (seen.length > 10) break;
    }
    t.same(seen, [id(2), id(3), id(4)]);
  });

  await t.test('every syntax carries the status', async (t) => {
    const turtle = (await page(`${q}&include_withdrawn=true`, '/catalog.ttl')).doc.text as string;
    t.match(turtle, /adms:status <http:\/\/purl\.org\/adms\/status\/Withdrawn>/);
    const ntriples = (await page(`${q}&include_withdrawn=true`, '/catalog.nt')).doc.text as string;
    t.match(ntriples, new RegExp(`<${PUBLIC_URL}/dataset/${id(4)}> <http://www.w3.org/ns/adms#status> <http://purl.org/adms/status/Withdrawn>`));
  });

  await t.test('include_withdrawn takes modified_since as its only filter; bad values are 400', async (t) => {
    const normal = await page(`${q}&pageSize=1`);
    t.equal(normal.status, 200);
    const bad = [
      `${q}&include_withdrawn=true&q=${encodeURIComponent('資料')}`,
      'include_withdrawn=true&publisher=x',
      'include_withdrawn=true&format=CSV',
      'include_withdrawn=maybe',
      `include_withdrawn=true&cursor=${'A'.repeat(20)}`,
    ];
    for (const query of bad) {
      const res = await page(query);
      t.equal(res.status, 400, query);
      t.equal((res.doc.error as { error_type: string }).error_type, 'ER0210:輸入的參數內容格式錯誤。');
    }
  });

  await t.test('without modified_since: every dataset ever served, withdrawn ones marked', async (t) => {
    const { nodes } = await page('include_withdrawn=true');
    t.same(
      nodes.map((n) => n['dct:identifier']),
      [1, 2, 3, 4, 5].map(id),
    );
    t.same(nodes.map(statusOf), [undefined, ADMS_STATUS_WITHDRAWN, undefined, ADMS_STATUS_WITHDRAWN, undefined]);
  });
});

t.test('a dataset merged into another names it with dct:isReplacedBy', async (t) => {
  const marked = markWithdrawn({ '@id': 'https://g.example/dataset/b', 'dct:identifier': 'b' }, 'a', 'https://g.example');
  t.same(marked, {
    '@id': 'https://g.example/dataset/b',
    'dct:identifier': 'b',
    'adms:status': { '@id': ADMS_STATUS_WITHDRAWN },
    'dct:isReplacedBy': { '@id': 'https://g.example/dataset/a' },
  });
  t.notOk('dct:isReplacedBy' in markWithdrawn({ 'dct:identifier': 'c' }, null, 'https://g.example'));
  t.end();
});
