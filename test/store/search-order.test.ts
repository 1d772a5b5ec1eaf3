import t from 'tap';
import { pageOf } from '../../src/store/search-order.js';
import { idList } from '../../src/store/search-match.js';
import { prng } from '../bench/synthetic-catalogue.js';

t.test('pageOf gives the page a full sort would, for every size, offset and limit', (t) => {
  const rand = prng(42);
  let cases = 0;
  for (const n of [0, 1, 2, 3, 10, 97, 500]) {
    // Few distinct keys, so most comparisons tie and the tie-break decides.
    const keys = Array.from({ length: n }, () => Math.floor(rand() * 7));
    const compare = (a: number, b: number): number => keys[a]! - keys[b]! || a - b;
    const sorted = Array.from({ length: n }, (_, i) => i).sort(compare);
    for (const offset of [0, 1, 5, n - 1, n, n + 3]) {
      for (const limit of [0, 1, 3, 20, n, Number.MAX_SAFE_INTEGER]) {
        if (offset < 0) continue;
        const expected = sorted.slice(offset, offset + limit);
        const actual = pageOf(n, offset, limit, compare);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) t.fail(`n=${n} offset=${offset} limit=${limit}: ${JSON.stringify(actual)}`);
        cases += 1;
      }
    }
  }
  t.pass(`${cases} pages agree`);
  t.end();
});

t.test('idList reads group_concat output as ascending unique ids, whatever order it comes in', (t) => {
  t.same([...idList(null)], []);
  t.same([...idList('')], []);
  t.same([...idList('7')], [7]);
  t.same([...idList('1,5,9,2147483647')], [1, 5, 9, 2147483647]);
  t.same([...idList('9,1,5,5')], [1, 5, 9], 'sorted and deduplicated if FTS5 ever stops returning rowid order');
  t.end();
});
