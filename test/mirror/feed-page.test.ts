import t from 'tap';
import { FeedPageError, parseFeedPage } from '../../src/mirror/feed-page.js';

/** Reading a change-feed page against the contract: what is taken, and every way a page is refused. */

const URL = 'http://upstream.example.tw/api/changes?limit=500';
const record = (identifier: string) => ({ identifier, title: `資料集 ${identifier}` });
const envelope = (result: unknown) => ({ success: true, result });
const page = (changes: unknown[], nextCursor: unknown = 'c2', more: unknown = false) => envelope({ changes, nextCursor, more });

t.test('a page as the contract has it', async (t) => {
  const parsed = parseFeedPage(
    page(
      [
        { identifier: 'A-1', kind: 'created', at: '2026-11-24T01:02:03.456Z', record: record('A-1') },
        { identifier: 'A-2', kind: 'updated', at: '2026-11-24T01:02:04Z', record: record('A-2') },
        { identifier: 'A-3', kind: 'withdrawn', at: '2026-11-24T01:02:05Z' },
        { identifier: 'A-4', kind: 'withdrawn', at: '2026-11-24T01:02:06Z', movedTo: 'A-1', extra: 'ignored' },
      ],
      'c2',
      true,
    ),
    URL,
    'c1',
  );
  t.same(parsed, {
    changes: [
      { identifier: 'A-1', kind: 'created', at: '2026-11-24T01:02:03.456Z', record: record('A-1') },
      { identifier: 'A-2', kind: 'updated', at: '2026-11-24T01:02:04Z', record: record('A-2') },
      { identifier: 'A-3', kind: 'withdrawn', at: '2026-11-24T01:02:05Z' },
      { identifier: 'A-4', kind: 'withdrawn', at: '2026-11-24T01:02:06Z', movedTo: 'A-1' },
    ],
    nextCursor: 'c2',
    more: true,
  });
  t.same(parseFeedPage(page([], 'c1', false), URL, 'c1'), { changes: [], nextCursor: 'c1', more: false }, 'nothing new: the same cursor is fine');
  t.same(parseFeedPage(page([], 'c1', false), URL, undefined).nextCursor, 'c1', 'an empty catalogue from the beginning');
  t.same(parseFeedPage(page([], 'c9', true), URL, 'c1').more, true, 'a page with no changes that moves the cursor is fine (more follow)');
});

t.test('national is passed on as sent, unchecked: a bad one is an error of its record, not of the page', async (t) => {
  const national = { identifier: 'A-1', title: '資料集', extensions: { datasetId: '1001' } };
  const parsed = parseFeedPage(
    page([
      { identifier: 'A-1', kind: 'created', at: '2026-11-24T01:02:03Z', record: record('A-1'), national },
      { identifier: 'A-2', kind: 'updated', at: '2026-11-24T01:02:04Z', record: record('A-2'), national: null },
      { identifier: 'A-3', kind: 'updated', at: '2026-11-24T01:02:05Z', record: record('A-3'), national: 'not a record' },
      { identifier: 'A-4', kind: 'created', at: '2026-11-24T01:02:06Z', record: record('A-4') },
      { identifier: 'A-5', kind: 'withdrawn', at: '2026-11-24T01:02:07Z', national },
    ]),
    URL,
    undefined,
  );
  t.same(
    parsed.changes.map((c) => ('national' in c ? c.national : 'absent')),
    [national, null, 'not a record', 'absent', 'absent'],
    'as sent; absent from an older upstream; never on a withdrawal',
  );
});

t.test('a page that breaks the contract is a FeedPageError naming the URL, the field and the change', async (t) => {
  const good = { identifier: 'A-1', kind: 'created', at: '2026-11-24T01:02:03Z', record: record('A-1') };
  const cases: Array<[string, unknown, { rule: string; field?: string; identifier?: string }, string?]> = [
    ['not an object', [], { rule: 'not-an-envelope' }],
    ['null', null, { rule: 'not-an-envelope' }],
    ['success false', { success: false, error: { message: 'x' } }, { rule: 'not-success', field: 'success' }],
    ['no result', { success: true }, { rule: 'missing-field', field: 'result' }],
    ['result an array', { success: true, result: [] }, { rule: 'missing-field', field: 'result' }],
    ['no nextCursor', envelope({ changes: [], more: false }), { rule: 'missing-field', field: 'result.nextCursor' }],
    ['empty nextCursor', page([], ''), { rule: 'missing-field', field: 'result.nextCursor' }],
    ['numeric nextCursor', page([], 42), { rule: 'missing-field', field: 'result.nextCursor' }],
    ['huge nextCursor', page([], 'c'.repeat(5000)), { rule: 'too-long', field: 'result.nextCursor' }],
    ['more not a boolean', page([], 'c2', 'yes'), { rule: 'missing-field', field: 'result.more' }],
    ['no changes', envelope({ nextCursor: 'c2', more: false }), { rule: 'missing-field', field: 'result.changes' }],
    ['a change not an object', page([good, 'A-2']), { rule: 'not-a-change', field: 'result.changes[1]' }],
    [
      'no identifier',
      page([{ kind: 'created', at: '2026-11-24T01:02:03Z', record: record('x') }]),
      { rule: 'missing-field', field: 'result.changes[0].identifier' },
    ],
    ['blank identifier', page([{ ...good, identifier: '  ' }]), { rule: 'missing-field', field: 'result.changes[0].identifier' }],
    ['huge identifier', page([{ ...good, identifier: 'A'.repeat(2000) }]), { rule: 'too-long', field: 'result.changes[0].identifier' }],
    ['an unknown kind', page([{ ...good, kind: 'deleted' }]), { rule: 'bad-kind', field: 'result.changes[0].kind', identifier: 'A-1' }],
    ['no at', page([{ identifier: 'A-1', kind: 'withdrawn' }]), { rule: 'missing-field', field: 'result.changes[0].at', identifier: 'A-1' }],
    ['at not a date', page([{ ...good, at: 'yesterday' }]), { rule: 'missing-field', field: 'result.changes[0].at', identifier: 'A-1' }],
    [
      'created without its record',
      page([{ identifier: 'A-1', kind: 'created', at: '2026-11-24T01:02:03Z' }]),
      { rule: 'missing-field', field: 'result.changes[0].record', identifier: 'A-1' },
    ],
    [
      'updated with a string record',
      page([{ ...good, kind: 'updated', record: '{"identifier":"A-1"}' }]),
      { rule: 'missing-field', field: 'result.changes[0].record', identifier: 'A-1' },
    ],
    [
      'movedTo not a string',
      page([{ identifier: 'A-1', kind: 'withdrawn', at: '2026-11-24T01:02:03Z', movedTo: 7 }]),
      { rule: 'bad-moved-to', field: 'result.changes[0].movedTo', identifier: 'A-1' },
    ],
    [
      'one identifier twice',
      page([good, { ...good, kind: 'withdrawn' }]),
      { rule: 'duplicate-identifier', field: 'result.changes[1].identifier', identifier: 'A-1' },
    ],
    ['a cursor that does not move under changes', page([good], 'c1'), { rule: 'cursor-stuck', field: 'result.nextCursor' }, 'c1'],
    ['a cursor that does not move while more follow', page([], 'c1', true), { rule: 'cursor-stuck', field: 'result.nextCursor' }, 'c1'],
  ];
  for (const [name, json, expected, since] of cases) {
    let error: unknown;
    try {
      parseFeedPage(json, URL, since);
    } catch (err) {
      error = err;
    }
    t.ok(error instanceof FeedPageError, `${name}: refused`);
    const e = error as FeedPageError;
    t.match({ rule: e.rule, field: e.field, identifier: e.identifier }, expected, `${name}: ${e.message}`);
    t.ok(e.message.startsWith(URL), `${name}: the message names the URL`);
    t.ok(e.message.length < 400, `${name}: and stays short`);
  }
});
