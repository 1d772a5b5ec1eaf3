/**
 * The record door's walk (src/model/untrusted-record.ts) names each problem by its field's path in
 * the record's own keys; the path is built only when there is a problem, so these pin it down.
 */
import t from 'tap';
import { checkUntrustedRecord } from '../../src/model/untrusted-record.js';

const limits = { maxDepth: 4, maxArrayLength: 3 };

t.test('a well-formed record passes as it is, unrepaired', async (t) => {
  const record = { title: '空氣品質', distribution: [{ format: 'CSV' }, { format: 'JSON' }], tags: ['a', 'b'] };
  const checked = checkUntrustedRecord(record, { limits, unicode: 'repair' });
  t.same(checked, { ok: true, value: record, repaired: [] });
  t.equal(checked.ok && checked.value, record, 'the same object: nothing copied');
});

t.test('paths of lone surrogates in values and keys, at every kind of step', async (t) => {
  const record = { title: 'ok', distribution: [{ format: 'CSV' }, { title: 'bad \ud800' }], ['k\udc00']: { inner: ['x', '\udfff'] } };
  const repaired = checkUntrustedRecord(structuredClone(record), { limits, unicode: 'repair' });
  t.ok(repaired.ok);
  if (!repaired.ok) return;
  t.same(repaired.repaired.map((problem) => problem.field).sort(), ['distribution[1].title', 'k\ufffd', 'k\ufffd.inner[1]'].sort());
  t.match(repaired.value, { distribution: [{}, { title: 'bad \ufffd' }], ['k\ufffd']: { inner: ['x', '\ufffd'] } });

  const refused = checkUntrustedRecord({ list: [['fine', '\ud800']] }, { limits, unicode: 'reject' });
  t.match(refused, { ok: false, problem: { rule: 'ill-formed-unicode', field: 'list[0][1]' } });
  const keyRefused = checkUntrustedRecord({ a: { ['b\ud800']: 1 } }, { limits, unicode: 'reject' });
  t.match(keyRefused, { ok: false, problem: { rule: 'ill-formed-unicode', field: 'a.b\ufffd', message: /^the key of a\.b\ufffd contains a lone surrogate/ } });
  t.match(checkUntrustedRecord('\ud800', { limits, unicode: 'reject' }), { ok: false, problem: { field: '', message: /^the record contains/ } });
});

t.test('depth and array length are named at the value that breaks them', async (t) => {
  t.match(checkUntrustedRecord({ a: [{ b: { c: { d: 1 } } }] }, { limits, unicode: 'reject' }), {
    ok: false,
    problem: { rule: 'too-deep', field: 'a[0].b.c', message: /^a\[0\]\.b\.c is nested more than 4 levels deep/ },
  });
  t.match(checkUntrustedRecord({ a: [{ list: [1, 2, 3, 4] }] }, { limits, unicode: 'reject' }), {
    ok: false,
    problem: { rule: 'too-many', field: 'a[0].list', message: /^a\[0\]\.list has 4 elements, over the cap of 3/ },
  });
  t.match(checkUntrustedRecord([1, 2, 3, 4], { limits, unicode: 'reject' }), { ok: false, problem: { rule: 'too-many', field: '' } });
});
