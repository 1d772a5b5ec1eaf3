import t from 'tap';
import { wellFormedJsonText } from '../../src/api/well-formed-answers.js';
import { nestsDeeperThan } from '../../src/model/json-depth.js';
import { parseStoredJson } from '../../src/store/stored-json.js';
import { toWellFormedString } from '../../src/model/well-formed-string.js';

t.test('lone surrogate escapes in JSON text become \\ufffd; pairs and escaped backslashes stay', async (t) => {
  const cases: Array<[unknown, unknown]> = [
    ['\ud800', '\ufffd'],
    ['a\udc00b', 'a\ufffdb'],
    ['\ud800\ud800', '\ufffd\ufffd'],
    ['\udc00\ud800', '\ufffd\ufffd'],
    ['😀', '😀'],
    ['\\ud800', '\\ud800'],
    [{ '\ud800': ['x\udfff', '中文'] }, { '\ufffd': ['x\ufffd', '中文'] }],
  ];
  for (const [input, expected] of cases) {
    const repaired = JSON.parse(wellFormedJsonText(JSON.stringify(input))) as unknown;
    t.same(repaired, expected, JSON.stringify(input));
  }
  // A pair written as two escapes (not how JSON.stringify writes it, but valid JSON) is a character.
  t.equal(wellFormedJsonText('"\\ud83d\\ude00"'), '"\\ud83d\\ude00"');
  t.equal(wellFormedJsonText('"\\\\ud800"'), '"\\\\ud800"', 'an escaped backslash followed by ud800 is text');
  t.equal(wellFormedJsonText('"\\\\\\ud800"'), '"\\\\\\ufffd"', 'an escaped backslash, then a real escape');
});

t.test('stored JSON is read with lone surrogates repaired, at any depth', async (t) => {
  t.same(parseStoredJson(JSON.stringify({ a: ['\ud800', { b: '\udc00x' }] })), { a: ['\ufffd', { b: '\ufffdx' }] });
  t.equal(parseStoredJson(JSON.stringify('\ud800')), '\ufffd');
  const depth = 50_000;
  const deep = `${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}`;
  let value = parseStoredJson(deep);
  for (let level = 0; level < depth; level += 1) value = (value as unknown[])[0];
  t.equal(value, '\ufffd', 'no stack overflow on a deep record');
  t.equal(toWellFormedString('ok 😀'), 'ok 😀');
});

t.test('nesting depth is counted outside strings only', async (t) => {
  t.equal(nestsDeeperThan('[[[]]]', 3), false);
  t.equal(nestsDeeperThan('[[[[]]]]', 3), true);
  t.equal(nestsDeeperThan('["[[[[[[", "\\"[[[[[["]', 1), false, 'brackets in strings, escaped quotes');
  t.equal(nestsDeeperThan('{"a":{"b":{"c":{}}}}', 3), true);
  t.equal(nestsDeeperThan('"\\\\"[[', 1), true, 'a string ending in an escaped backslash');
});
