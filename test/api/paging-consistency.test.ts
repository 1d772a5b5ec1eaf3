import t, { type Test } from 'tap';
import { startFederation, type Federation } from '../helpers/federation.js';

/**
 * Paging stays consistent while a harvest changes the catalogue (issue 6): a client walking
 * the v1 identifier list, the DCAT catalogue or a search by following the next links the
 * gateway gives (keyset cursors, not offsets) sees every dataset that was listed throughout
 * the walk exactly once, never one twice, and never one withdrawn before its page was read.
 *
 * The catalogue is harvested from a loopback fixture platform into a real SQLite store; between
 * pages (and, in the last test, during the walk) the platform changes and is harvested again:
 * datasets already read and not yet read are withdrawn, new ones appear before and after the
 * walk's position, and the new ones shift every relevance score (they change the catalogue's
 * mean title length and each term's idf).
 */

type Raw = Record<string, unknown>;
const PUBLIC_URL = 'https://gateway.example.tw';
const PAGE = 5;
const id = (serial: number): string => `A41000000G-${String(serial).padStart(6, '0')}`;

function record(serial: number, extra = ''): Raw {
  return {
    identifier: id(serial),
    // Titles of different lengths and words: relevance, title order and identifier order all differ.
    title: `${'新北市'.repeat(serial % 4)}空氣品質測站${extra}${String.fromCharCode(0x4e00 + ((serial * 37) % 200))}`,
    description: serial % 3 === 0 ? '空氣品質測站每小時監測資料。' : '監測資料。',
    type: 'rawData',
    categoryCode: 'E00',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '環境部',
    publisher: '環境部監測資訊司',
    accrualPeriodicity: '每小時',
    // Distinct times, not in identifier order.
    modified: `2025-01-${String(1 + ((serial * 7) % 28)).padStart(2, '0')} ${String(serial % 24).padStart(2, '0')}:00:00`,
    distribution: [{ resourceID: `${id(serial)}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${serial}.csv` }],
  };
}

/** Serials 10–49 at first. */
const INITIAL = Array.from({ length: 40 }, (_, n) => record(10 + n));

interface Page {
  ids: string[];
  /** The next page's URL on the gateway under test, if any. */
  next: string | undefined;
}

/** How one API is walked: its first page, and how a response names its datasets and next page. */
interface Walker {
  name: string;
  first: string;
  read(base: string, res: Response): Promise<Page>;
}

const onGateway = (base: string, publicLink: string): string => {
  const url = new URL(publicLink);
  return `${base}${url.pathname}${url.search}`;
};

function linkNext(res: Response): string | undefined {
  return /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
}

const search = (name: string, query: string): Walker => ({
  name,
  first: `/api/search?${query}&limit=${PAGE}&facets=false`,
  async read(_base, res) {
    const body = (await res.json()) as { result: { results: Array<{ identifier: string }>; nextCursor?: string } };
    const cursor = body.result.nextCursor;
    return {
      ids: body.result.results.map((r) => r.identifier),
      next: cursor === undefined ? undefined : `/api/search?${query}&limit=${PAGE}&facets=false&cursor=${cursor}`,
    };
  },
});

const WALKERS: Walker[] = [
  {
    name: 'v1 identifier list (Link rel=next)',
    first: `/api/v1/rest/dataset?limit=${PAGE}`,
    async read(_base, res) {
      const body = (await res.json()) as { result: string[] };
      const next = linkNext(res);
      return { ids: body.result, next: next === undefined ? undefined : new URL(next).pathname + new URL(next).search };
    },
  },
  {
    name: 'DCAT catalogue (hydra:next)',
    first: `/catalog?pageSize=${PAGE}`,
    async read(_base, res) {
      const doc = (await res.json()) as { 'dcat:dataset'?: Array<{ 'dct:identifier': string }>; 'hydra:view': { 'hydra:next'?: { '@id': string } } };
      const next = doc['hydra:view']['hydra:next']?.['@id'];
      t.equal(linkNext(res), next, 'the Link header names the same next page');
      return {
        ids: (doc['dcat:dataset'] ?? []).map((d) => d['dct:identifier']),
        next: next === undefined ? undefined : new URL(next).pathname + new URL(next).search,
      };
    },
  },
  search('search, identifier order', 'sort=identifier'),
  search('search, newest first', 'sort=modified'),
  search('search, title order', 'sort=title'),
  search('search, relevance of two terms', `q=${encodeURIComponent('空氣品質 監測')}`),
];

/** Walks an API from its first page, calling `between` after each page but the last (before the next is read). */
async function walk(base: string, walker: Walker, between: (pagesSoFar: readonly string[][]) => Promise<void>): Promise<string[][]> {
  const pages: string[][] = [];
  let path: string | undefined = walker.first;
  while (path !== undefined) {
    const res = await fetch(onGateway(base, `${PUBLIC_URL}${path}`));
    if (res.status !== 200) throw new Error(`${walker.name}: GET ${path} answered ${res.status}: ${await res.text()}`);
    const page = await walker.read(base, res);
    pages.push(page.ids);
    path = page.next;
    if (pages.length > 100) throw new Error(`${walker.name}: more than 100 pages: the walk does not end`);
    if (path !== undefined) await between(pages);
  }
  return pages;
}

/** The live identifiers as the gateway lists them now. */
async function liveIdentifiers(base: string): Promise<Set<string>> {
  const body = (await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] };
  return new Set(body.result);
}

async function harvest(f: Federation): Promise<void> {
  const run = await f.harvester.run('fixture');
  if (run?.status !== 'succeeded') throw new Error(`harvest: ${run?.status}`);
}

/** Puts the platform back to INITIAL and harvests it. */
async function reset(f: Federation): Promise<void> {
  f.platform.faults.delayMs = 0;
  f.platform.records.clear();
  for (const r of INITIAL) f.platform.records.set(String(r.identifier), r);
  await harvest(f);
}

/**
 * The changes a harvest makes mid-walk: withdraw two datasets the first page showed and three
 * it did not, and add four new ones (serials below and above every existing one, so they sort
 * before and after the walk's position in identifier order, and with titles that move the
 * catalogue's statistics).
 */
function changePlatform(f: Federation, firstPage: readonly string[]): { withdrawnUnseen: string[] } {
  const unseen = INITIAL.map((r) => String(r.identifier)).filter((i) => !firstPage.includes(i));
  const withdrawnUnseen = [unseen[0]!, unseen[7]!, unseen.at(-1)!];
  for (const identifier of [...firstPage.slice(0, 2), ...withdrawnUnseen]) f.platform.records.delete(identifier);
  for (const serial of [1, 2, 90, 91]) {
    const added = record(serial, '（新增）很長的標題讓平均標題長度改變很多很多很多很多');
    f.platform.records.set(String(added.identifier), added);
  }
  return { withdrawnUnseen };
}

function checkWalk(t: Test, name: string, pages: string[][], lasting: ReadonlySet<string>, neverShown: readonly string[]): void {
  const seen = pages.flat();
  const counts = new Map<string, number>();
  for (const identifier of seen) counts.set(identifier, (counts.get(identifier) ?? 0) + 1);
  t.same(
    [...counts].filter(([, n]) => n > 1),
    [],
    `${name}: no dataset is listed twice`,
  );
  t.same(
    [...lasting].filter((identifier) => !counts.has(identifier)),
    [],
    `${name}: every dataset listed throughout the walk is seen`,
  );
  t.same(
    neverShown.filter((identifier) => counts.has(identifier)),
    [],
    `${name}: a dataset withdrawn before its page was read is not shown`,
  );
}

t.test('paging stays consistent while a harvest changes the catalogue', async (t) => {
  const f = await startFederation(t, INITIAL, PUBLIC_URL, { withdrawAfterHours: 0 });
  await harvest(f);
  t.equal((await liveIdentifiers(f.base)).size, 40);

  for (const walker of WALKERS) {
    await t.test(`${walker.name}: a harvest between the first and second pages`, async (t) => {
      await reset(f);
      const before = await liveIdentifiers(f.base);
      let withdrawnUnseen: string[] = [];
      const pages = await walk(f.base, walker, async (pagesSoFar) => {
        if (pagesSoFar.length !== 1) return;
        ({ withdrawnUnseen } = changePlatform(f, pagesSoFar[0]!));
        await harvest(f);
      });
      const after = await liveIdentifiers(f.base);
      t.equal(after.size, 40 - 5 + 4, 'the harvest withdrew five datasets and added four');
      t.equal(pages[0]!.length, PAGE);
      const lasting = new Set([...before].filter((identifier) => after.has(identifier)));
      checkWalk(t, walker.name, pages, lasting, withdrawnUnseen);
    });
  }

  await t.test('offset paging skips datasets when earlier ones are withdrawn: why the next links carry cursors', async (t) => {
    await reset(f);
    const list = async (query: string): Promise<string[]> =>
      ((await (await fetch(`${f.base}/api/v1/rest/dataset?${query}`)).json()) as { result: string[] }).result;
    const first = await list(`limit=${PAGE}&offset=0`);
    t.same(first, [10, 11, 12, 13, 14].map(id));
    f.platform.records.delete(id(10));
    f.platform.records.delete(id(11));
    await harvest(f);
    const byOffset = await list(`limit=${PAGE}&offset=${PAGE}`);
    t.same(byOffset, [17, 18, 19, 20, 21].map(id), 'by offset, 15 and 16 are never seen');
    const byCursor = await list(`limit=${PAGE}&after=${first.at(-1)!}`);
    t.same(byCursor, [15, 16, 17, 18, 19].map(id), 'after the last identifier seen, nothing is skipped');
  });

  await t.test('a walk while a slow harvest runs: no dataset twice, every lasting one once', async (t) => {
    for (const walker of WALKERS) {
      await reset(f);
      const before = await liveIdentifiers(f.base);
      const firstPage = ((await (await fetch(`${f.base}/api/v1/rest/dataset?limit=${PAGE}`)).json()) as { result: string[] }).result;
      changePlatform(f, firstPage);
      // Each platform request waits a little: the harvest writes page by page while the walk reads.
      f.platform.faults.delayMs = 3;
      const harvesting = harvest(f);
      const pages = await walk(f.base, walker, () => new Promise((resolve) => setTimeout(resolve, 5)));
      await harvesting;
      f.platform.faults.delayMs = 0;
      const after = await liveIdentifiers(f.base);
      const lasting = new Set([...before].filter((identifier) => after.has(identifier)));
      checkWalk(t, `${walker.name}, concurrent`, pages, lasting, []);
    }
  });

  await t.test('a cursor belongs to its query: another query, a forged or mangled cursor, or an offset with it is a 400', async (t) => {
    await reset(f);
    const first = (await (await fetch(`${f.base}/api/search?sort=title&limit=2`)).json()) as { result: { nextCursor: string } };
    const cursor = first.result.nextCursor;
    t.match(cursor, /^[A-Za-z0-9_-]+$/);
    t.equal((await fetch(`${f.base}/api/search?sort=title&limit=2&cursor=${cursor}`)).status, 200);
    const forged = Buffer.from(JSON.stringify([1, 'x', 'title', 'a', 'b']), 'utf8').toString('base64url');
    const otherVersion = Buffer.from(JSON.stringify([99, 'x', 'title', 'a', 'b']), 'utf8').toString('base64url');
    const mangled = [
      `/api/search?sort=modified&limit=2&cursor=${cursor}`,
      `/api/search?sort=title&q=${encodeURIComponent('空氣')}&limit=2&cursor=${cursor}`,
      `/api/search?sort=title&limit=2&offset=2&cursor=${cursor}`,
      `/api/search?sort=title&limit=2&cursor=${cursor.slice(0, -3)}`,
      `/api/search?sort=title&limit=2&cursor=${forged}`,
      `/api/search?sort=title&limit=2&cursor=${otherVersion}`,
      '/api/search?cursor=',
      '/api/search?cursor=%E7%A9%BA',
      `/api/search?cursor=${'A'.repeat(5000)}`,
      `/catalog?pageSize=2&cursor=${cursor}`,
      `/catalog?page=2&cursor=${cursor}`,
      '/catalog?cursor=!!',
    ];
    for (const path of mangled) {
      const res = await fetch(`${f.base}${path}`);
      t.equal(res.status, 400, path.slice(0, 80));
      const body = (await res.json()) as { success: boolean; error: { error_type: string; message: string } };
      t.equal(body.success, false);
      t.equal(body.error.error_type, 'ER0210:輸入的參數內容格式錯誤。', path.slice(0, 80));
      t.match(body.error.message, /cursor/, path.slice(0, 80));
    }
  });
});
