import t from 'tap';
import { formatTaipeiDateTime, parseDateOrPartial, parseIsoInterval, parsePartialDate, parseTaiwanDate, toUtcInstant } from '../../src/model/dates.js';

t.test('ROC (民國) dates in every written form read as the Gregorian date', async (t) => {
  const forms = ['110/08/01', '110/8/1', '110-08-01', '110.08.01', '1100801', '民國110年8月1日', '110年8月1日', '民國 110 年 8 月 1 日', '民國110/08/01'];
  for (const form of forms) {
    t.same(parseTaiwanDate(form), { kind: 'date', value: '2021-08-01' }, form);
  }
  t.same(parseTaiwanDate('99/12/31'), { kind: 'date', value: '2010-12-31' }, 'two-digit ROC year');
  t.same(parseTaiwanDate('民國1年1月1日'), { kind: 'date', value: '1912-01-01' }, 'ROC year 1 is 1912');
});

t.test('ROC dates with a simple time are Taipei local times', async (t) => {
  t.same(parseTaiwanDate('110年8月1日 14時30分'), { kind: 'datetime', value: '2021-08-01T06:30:00Z' });
  t.same(parseTaiwanDate('民國110年8月1日14時30分20秒'), { kind: 'datetime', value: '2021-08-01T06:30:20Z' });
  t.same(parseTaiwanDate('民國110年8月1日 下午2時30分'), { kind: 'datetime', value: '2021-08-01T06:30:00Z' });
  t.same(parseTaiwanDate('民國110年8月1日 上午12時5分'), { kind: 'datetime', value: '2021-07-31T16:05:00Z' }, '上午12時 is midnight');
  t.same(parseTaiwanDate('110年8月1日 08:00:00'), { kind: 'datetime', value: '2021-08-01T00:00:00Z' });
  t.same(parseTaiwanDate('110/08/01 08:00'), { kind: 'datetime', value: '2021-08-01T00:00:00Z' });
});

t.test('Gregorian dates', async (t) => {
  for (const form of ['2021/08/01', '2021-08-01', '20210801', '2021/8/1', '2021年8月1日']) {
    t.same(parseTaiwanDate(form), { kind: 'date', value: '2021-08-01' }, form);
  }
  t.same(parseTaiwanDate('2020-02-29'), { kind: 'date', value: '2020-02-29' }, 'leap day');
  t.same(parseTaiwanDate('2000-02-29'), { kind: 'date', value: '2000-02-29' }, 'leap day in a 400-year');
});

t.test('local date-times without an offset are Asia/Taipei (UTC+8)', async (t) => {
  t.same(parseTaiwanDate('2015-01-01 23:59:59'), { kind: 'datetime', value: '2015-01-01T15:59:59Z' });
  t.same(parseTaiwanDate('2015/01/01 23:59:59'), { kind: 'datetime', value: '2015-01-01T15:59:59Z' });
  t.same(parseTaiwanDate('2015-01-01 23:59'), { kind: 'datetime', value: '2015-01-01T15:59:00Z' });
  t.same(parseTaiwanDate('2015-01-01T23:59:59'), { kind: 'datetime', value: '2015-01-01T15:59:59Z' });
  t.same(parseTaiwanDate('2015-01-01 07:00:00'), { kind: 'datetime', value: '2014-12-31T23:00:00Z' }, 'crosses the year backwards');
  t.same(parseTaiwanDate('2021-03-01 02:00:00'), { kind: 'datetime', value: '2021-02-28T18:00:00Z' }, 'crosses the month');
});

t.test('RFC 3339 with an offset keeps its instant', async (t) => {
  t.same(parseTaiwanDate('2021-08-01T10:00:00Z'), { kind: 'datetime', value: '2021-08-01T10:00:00Z' });
  t.same(parseTaiwanDate('2021-08-01T10:00:00+08:00'), { kind: 'datetime', value: '2021-08-01T02:00:00Z' });
  t.same(parseTaiwanDate('2021-08-01T10:00:00-05:30'), { kind: 'datetime', value: '2021-08-01T15:30:00Z' });
  t.same(parseTaiwanDate('2021-08-01T10:00:00.123456+09:00'), { kind: 'datetime', value: '2021-08-01T01:00:00Z' }, 'fraction dropped');
  t.same(parseTaiwanDate('2021-08-01t10:00:00z'), { kind: 'datetime', value: '2021-08-01T10:00:00Z' }, 'lower-case t and z');
  t.same(parseTaiwanDate('2021-08-01T10:00:00+0800'), { kind: 'datetime', value: '2021-08-01T02:00:00Z' }, 'offset without colon');
});

t.test('already normalised values parse to themselves', async (t) => {
  t.same(parseTaiwanDate('2015-01-01T15:59:59Z'), { kind: 'datetime', value: '2015-01-01T15:59:59Z' });
  t.same(parseTaiwanDate('2014-01-01'), { kind: 'date', value: '2014-01-01' });
});

t.test('full-width digits, slash and colon are read (NFKC)', async (t) => {
  t.same(parseTaiwanDate('２０２１／０８／０１'), { kind: 'date', value: '2021-08-01' });
  t.same(parseTaiwanDate('１１０／０８／０１ １２：３０：００'), { kind: 'datetime', value: '2021-08-01T04:30:00Z' });
  t.same(parseTaiwanDate('民國１１０年８月１日'), { kind: 'date', value: '2021-08-01' });
});

t.test('surrounding whitespace is trimmed', async (t) => {
  t.same(parseTaiwanDate('  2021-08-01 \n'), { kind: 'date', value: '2021-08-01' });
  t.same(parseTaiwanDate('\t2015-01-01   23:59:59 '), { kind: 'datetime', value: '2015-01-01T15:59:59Z' });
});

t.test('impossible dates and times are refused', async (t) => {
  const impossible = [
    '2021-02-30',
    '2021-02-29',
    '1900-02-29',
    '2021-13-01',
    '2021-00-10',
    '2021-04-31',
    '2021-08-00',
    '2021-08-01 25:00:00',
    '2021-08-01 24:00:00',
    '2021-08-01 12:60:00',
    '2021-08-01 12:00:60',
    '2021-08-01T10:00:00+24:00',
    '110/02/30',
    '1101301',
    '民國110年2月30日',
    '民國0年1月1日',
    '000/01/01',
    '民國110年8月1日 下午13時',
    '0999-01-01',
  ];
  for (const value of impossible) t.equal(parseTaiwanDate(value), null, value);
});

t.test('garbage and empty input are refused', async (t) => {
  const garbage = [
    '',
    '   ',
    'garbage',
    '2021',
    '2021-08',
    '08/01/2021',
    '01.08.2021',
    '2021/08-01',
    '123456',
    '123456789',
    'null',
    '每日',
    '民國2021年8月1日',
    '2021-08-01T',
    '2021-08-01 10',
    'yesterday',
  ];
  for (const value of garbage) t.equal(parseTaiwanDate(value), null, JSON.stringify(value));
  t.equal(parseTaiwanDate(undefined as unknown as string), null, 'not a string');
  t.equal(parseTaiwanDate(20210801 as unknown as string), null, 'a number is not a string');
});

t.test('formatTaipeiDateTime renders a UTC instant as Taipei wall-clock time', async (t) => {
  t.equal(formatTaipeiDateTime('2015-01-01T15:59:59Z'), '2015-01-01 23:59:59');
  t.equal(formatTaipeiDateTime('2014-12-31T23:00:00Z'), '2015-01-01 07:00:00');
  t.equal(formatTaipeiDateTime('2021-08-01'), '2021-08-01 00:00:00', 'a date is midnight Taipei');
  t.throws(() => formatTaipeiDateTime('garbage'), RangeError);
});

t.test('a local time survives parse → format unchanged', async (t) => {
  for (const local of ['2015-01-01 23:59:59', '2024-02-29 00:00:00', '1999-12-31 08:00:00']) {
    const parsed = parseTaiwanDate(local);
    t.equal(parsed?.kind, 'datetime');
    t.equal(formatTaipeiDateTime(parsed!.value), local, local);
  }
});

t.test('toUtcInstant gives a comparable UTC instant', async (t) => {
  t.equal(toUtcInstant('2021-08-01'), '2021-07-31T16:00:00Z', 'a date is 00:00 Taipei of that day');
  t.equal(toUtcInstant('2021-01-01'), '2020-12-31T16:00:00Z');
  t.equal(toUtcInstant('2015-01-01T15:59:59Z'), '2015-01-01T15:59:59Z');
  t.equal(toUtcInstant('2015-01-01 23:59:59'), '2015-01-01T15:59:59Z', 'raw Taiwan forms are accepted too');
  t.equal(toUtcInstant('110/08/01'), '2021-07-31T16:00:00Z');
  t.equal(toUtcInstant('not a date'), null);
  t.equal(toUtcInstant(''), null);
  t.ok(toUtcInstant('2021-08-01')! < toUtcInstant('2021-08-01 00:00:01')!, 'instants order as strings');
});

t.test('partial dates: to the month or the year, kept at that precision', async (t) => {
  const yearMonths: Array<[string, string]> = [
    ['2018-05', '2018-05'],
    ['2018/5', '2018-05'],
    ['2018.05', '2018-05'],
    ['107/05', '2018-05'],
    ['107-5', '2018-05'],
    ['民國107年5月', '2018-05'],
    ['107年5月', '2018-05'],
    ['2018年5月', '2018-05'],
    ['２０１８－０５', '2018-05'],
  ];
  for (const [input, value] of yearMonths) t.same(parsePartialDate(input), { kind: 'yearMonth', value }, input);
  for (const [input, value] of [
    ['2018', '2018'],
    ['民國107年', '2018'],
    ['107年', '2018'],
    ['2018年', '2018'],
  ] as const) {
    t.same(parsePartialDate(input), { kind: 'year', value }, input);
  }
  for (const bad of ['2018-13', '2018-00', '0999', '107/13', '民國2018年', '2018-05-01', '', 'May 2018', '12345']) {
    t.equal(parsePartialDate(bad), null, JSON.stringify(bad));
  }
  t.equal(parseTaiwanDate('2018-05'), null, 'parseTaiwanDate stays strict about full dates');
  t.same(parseDateOrPartial('2018-05-01'), { kind: 'date', value: '2018-05-01' });
  t.same(parseDateOrPartial('2018-05'), { kind: 'yearMonth', value: '2018-05' });
  t.equal(parseDateOrPartial('soon'), null);
});

t.test('toUtcInstant puts a partial date at the start of its period, Taipei time', async (t) => {
  t.equal(toUtcInstant('2018-05'), '2018-04-30T16:00:00Z');
  t.equal(toUtcInstant('2018'), '2017-12-31T16:00:00Z');
  t.equal(toUtcInstant('107/05'), '2018-04-30T16:00:00Z');
});

t.test('parseIsoInterval reads start/end, partial and open ends', async (t) => {
  t.same(parseIsoInterval('2010-01-01/2012-12-31'), { start: { kind: 'date', value: '2010-01-01' }, end: { kind: 'date', value: '2012-12-31' } });
  t.same(parseIsoInterval('2018-05/2018-06'), { start: { kind: 'yearMonth', value: '2018-05' }, end: { kind: 'yearMonth', value: '2018-06' } });
  t.same(parseIsoInterval('2000/2010'), { start: { kind: 'year', value: '2000' }, end: { kind: 'year', value: '2010' } });
  t.same(parseIsoInterval('2009-09-01T12:00:00Z/2010-05-31T12:00:00Z'), {
    start: { kind: 'datetime', value: '2009-09-01T12:00:00Z' },
    end: { kind: 'datetime', value: '2010-05-31T12:00:00Z' },
  });
  t.same(parseIsoInterval('2015-01-01/..'), { start: { kind: 'date', value: '2015-01-01' }, end: null }, 'open end');
  t.same(parseIsoInterval('../2015'), { start: null, end: { kind: 'year', value: '2015' } }, 'open start');
  t.same(parseIsoInterval(' 2010-01-01 / 2011 '), { start: { kind: 'date', value: '2010-01-01' }, end: { kind: 'year', value: '2011' } });
  for (const bad of ['2010-01-01', '2010-01-01/P1Y', 'R/P1D', '2012/2010', '../..', '/', 'a/b', '2010/2011/2012', '']) {
    t.equal(parseIsoInterval(bad), null, JSON.stringify(bad));
  }
});
