import t from 'tap';
import { canonicalIdentifier, foldIdentifierCase } from '../../src/model/identifier.js';
import { identityKeys } from '../../src/model/identity-keys.js';

t.test('canonicalIdentifier: a national identifier in upper case, anything else as it is', (t) => {
  t.equal(canonicalIdentifier('a41000000g-000903'), 'A41000000G-000903');
  t.equal(canonicalIdentifier('A41000000g-00a9b3'), 'A41000000G-00A9B3', 'the serial may hold letters: the pattern admits them');
  t.equal(canonicalIdentifier('A41000000G-000903'), 'A41000000G-000903');
  for (const other of [
    'abc',
    'a41000000g-00090',
    'a41000000g-0009033',
    ' a41000000g-000903',
    'ａ41000000g-000903',
    'https://Data.example.tw/x',
    '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
  ]) {
    t.equal(canonicalIdentifier(other), other, `${JSON.stringify(other)} is no national identifier: unchanged`);
  }
  t.end();
});

t.test('foldIdentifierCase: ASCII letters only, as SQLite NOCASE compares', (t) => {
  t.equal(foldIdentifierCase('a41000000g-000903~city'), 'A41000000G-000903~CITY');
  t.equal(foldIdentifierCase('ａｂc-ä-ı-ß'), 'ａｂC-ä-ı-ß', 'full-width, accented, dotless i and sharp s stay: no look-alike folds onto ASCII');
  t.equal(foldIdentifierCase(''), '');
  t.end();
});

t.test('identity keys: a national identifier in any case gives one agency key', (t) => {
  const key = (identifier: string) => identityKeys({ identifier, title: 't' }).filter((k) => k.kind === 'agency');
  t.same(key('a41000000g-000903'), [{ kind: 'agency', value: 'A41000000G-000903' }]);
  t.same(key('A41000000g-000903'), key('A41000000G-000903'));
  t.end();
});
