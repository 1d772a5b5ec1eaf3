import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { harvestSource, startFakeSource, type Answer, type FakeSource, type HarvestedSource } from '../helpers/source-harness.js';
import { runErrors } from '../../src/store/runs.js';
import { projectPath } from '../../src/model/project-root.js';

const fixture = (name: string): string => readFileSync(projectPath('test', 'fixtures', 'oai-pmh', name), 'utf8');

interface Setup extends HarvestedSource {
  repository: FakeSource;
}

async function setup(
  t: Test,
  answer: (params: URLSearchParams) => Answer,
  options: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<Setup> {
  const repository = await startFakeSource(t, '/oai', 'text/xml; charset=utf-8', answer);
  return { repository, ...harvestSource(t, { id: 'oai', name: 'OAI repository', type: 'oai-pmh', url: repository.url }, options, settings) };
}

/** sickle's four ListRecords pages: each names the next file as its resumptionToken. */
function sickleRepository(params: URLSearchParams): Answer {
  if (params.get('verb') === 'Identify') return { body: fixture('Identify.xml') };
  return { body: fixture(params.get('resumptionToken') ?? 'ListRecords.xml') };
}

/** The DataCite repository: two pages (the second only a deletion), Identify with seconds granularity. */
function dataciteRepository(params: URLSearchParams): Answer {
  if (params.get('verb') === 'Identify') return { body: fixture('Identify-seconds.xml') };
  if (params.has('from')) return { body: fixture('datacite-ListRecords-withdrawal.xml') };
  return { body: fixture(params.get('resumptionToken') === 'page-2' ? 'datacite-ListRecords2.xml' : 'datacite-ListRecords.xml') };
}

t.test('oai_dc: resumptionToken paging, deleted headers, a deletion without identifier', async (t) => {
  const s = await setup(t, sickleRepository);
  const run = await s.harvester.run('oai');
  t.same(
    s.repository.requests.map((params) => Object.fromEntries(params)),
    [
      { verb: 'ListRecords', metadataPrefix: 'oai_dc' },
      { verb: 'ListRecords', resumptionToken: 'ListRecords2.xml' },
      { verb: 'ListRecords', resumptionToken: 'ListRecords3.xml' },
      { verb: 'ListRecords', resumptionToken: 'ListRecords4.xml' },
    ],
    'the first request names the format; the next ones only the token (an exclusive argument)',
  );
  t.equal(run!.status, 'partial', 'page 4 has a deleted header without identifier: it cannot be applied');
  t.same(
    runErrors(s.db, run!.runId)
      .filter((e) => e.stage !== 'validate')
      .map((e) => [e.stage, e.rule, e.field]),
    [['parse', 'no-identifier', 'header/identifier']],
  );
  t.equal(run!.counts.seen, 4, 'the live record is listed on each of the four pages');
  t.equal(run!.counts.created, 1);
  const record = s.datasets().get('http://test.example.com/publication/1585322');
  t.match(record, {
    title: 'Sample Title',
    publisher: 'Sample Publisher',
    language: 'en',
    modified: '2011-01-10T10:19:23Z',
    extensions: { sourceVocabulary: 'oai-dc' },
  });
});

t.test('DataCite: records mapped, a deleted header withdraws at once, an empty token ends the list', async (t) => {
  const s = await setup(t, dataciteRepository, { metadataPrefix: 'oai_datacite', set: 'environment' });
  const first = await s.harvester.run('oai');
  t.equal(first!.status, 'succeeded');
  t.same(Object.fromEntries(s.repository.requests[0]!), { verb: 'ListRecords', metadataPrefix: 'oai_datacite', set: 'environment' });
  t.equal(s.repository.requests.length, 2, 'the empty resumptionToken on page 2 ends the list');
  t.same([...s.datasets().keys()], ['10.5072/EXAMPLE.AIR-2023', '10.5072/EXAMPLE.RIVERS']);

  s.repository.requests.length = 0;
  const second = await s.harvester.run('oai');
  t.equal(second!.status, 'succeeded');
  const [identify, list] = s.repository.requests;
  t.equal(identify!.get('verb'), 'Identify', 'the granularity is read from Identify');
  t.match(list!.get('from'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'seconds granularity, as Identify says');
  t.equal(second!.counts.withdrawn, 1, 'the deleted record is withdrawn at once');
  t.same([...s.datasets().keys()], ['10.5072/EXAMPLE.AIR-2023'], 'an incremental run withdraws nothing else');
});

t.test('day granularity: from is the UTC day of the incremental base', async (t) => {
  // sickle's first page alone (its token removed): a run that succeeds, so the next one is incremental.
  const onePage = fixture('ListRecords.xml').replace(/<resumptionToken[^>]*>[^<]*<\/resumptionToken>/, '');
  const s = await setup(t, (params) => (params.get('verb') === 'Identify' ? sickleRepository(params) : { body: onePage }));
  t.equal((await s.harvester.run('oai'))!.status, 'succeeded');
  s.repository.requests.length = 0;
  await s.harvester.run('oai');
  t.equal(s.repository.requests[0]!.get('verb'), 'Identify');
  t.match(s.repository.requests[1]!.get('from'), /^\d{4}-\d{2}-\d{2}$/);
});

t.test('a full run lists everything: what the repository stops listing is withdrawn', async (t) => {
  let second = false;
  const s = await setup(
    t,
    (params) => ({
      body: second
        ? fixture('datacite-ListRecords.xml')
            .replace(/<record>\s*<header>\s*<identifier>oai:repository.example.org:1002[\s\S]*?<\/record>/, '')
            .replace(/<resumptionToken[^>]*>page-2<\/resumptionToken>/, '')
        : dataciteRepository(params).body,
    }),
    { metadataPrefix: 'oai_datacite', incremental: false },
    { withdrawAfterHours: 0 },
  );
  await s.harvester.run('oai');
  second = true;
  const run = await s.harvester.run('oai');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.withdrawn, 1);
  t.same([...s.datasets().keys()], ['10.5072/EXAMPLE.AIR-2023']);
});

t.test('noRecordsMatch is an empty, successful harvest', async (t) => {
  const s = await setup(t, () => ({ body: fixture('noRecordsMatch.xml') }));
  const run = await s.harvester.run('oai');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.seen, 0);
});

t.test('a resumptionToken seen twice stops the paging', async (t) => {
  const s = await setup(t, (params) => ({
    body: params.has('resumptionToken')
      ? fixture('ListRecords.xml').replace('ListRecords2.xml', 'again')
      : fixture('ListRecords.xml').replace('ListRecords2.xml', 'again'),
  }));
  const run = await s.harvester.run('oai');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(s.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'resumption-loop', message: /"again" a second time/ }],
  );
  t.equal(s.repository.requests.length, 2);
});

t.test('the hard cap on pages', async (t) => {
  let n = 0;
  const s = await setup(t, () => ({ body: fixture('ListRecords.xml').replace('ListRecords2.xml', `token-${(n += 1)}`) }), { maxPages: 3 });
  const run = await s.harvester.run('oai');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(s.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'too-many-pages' }],
  );
  t.equal(s.repository.requests.length, 3);
});

/** After a good harvest the repository turns bad: the run fails with a typed error, nothing stored is lost. */
async function badAnswer(t: Test, bad: (params: URLSearchParams) => Answer, message: RegExp): Promise<void> {
  let broken = false;
  const s = await setup(t, (params) => (broken ? bad(params) : dataciteRepository(params)), { metadataPrefix: 'oai_datacite', incremental: false });
  await s.harvester.run('oai');
  const before = s.datasets();
  t.equal(before.size, 2);
  broken = true;
  const run = await s.harvester.run('oai');
  t.equal(run!.status, 'failed');
  const errors = runErrors(s.db, run!.runId);
  // Every message regex starts with the cause, which is also the error's rule: oai-badArgument, html-page …
  const rule = /^[a-zA-Z-]+/.exec(message.source)![0];
  t.match(errors, [{ stage: 'source', rule, message }]);
  t.same(s.datasets(), before, 'nothing stored was lost or changed');
}

/** sickle's samples for six codes; badVerb and noMetadataFormats written after the spec's examples. */
const ERROR_ANSWERS: Record<string, string> = {
  badArgument: fixture('badArgument.xml'),
  badResumptionToken: fixture('badResumptionToken.xml'),
  cannotDisseminateFormat: fixture('cannotDisseminateFormat.xml'),
  idDoesNotExist: fixture('idDoesNotExist.xml'),
  noSetHierarchy: fixture('noSetHierarchy.xml'),
  undefinedError: fixture('undefinedError.xml'),
  badVerb:
    '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate><request>http://x/oai</request><error code="badVerb">Illegal OAI verb</error></OAI-PMH>',
  noMetadataFormats:
    '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate><request>http://x/oai</request><error code="noMetadataFormats"/></OAI-PMH>',
};

for (const [code, body] of Object.entries(ERROR_ANSWERS)) {
  t.test(`OAI error ${code} fails the run naming the code`, (t) => badAnswer(t, () => ({ body }), new RegExp(`oai-${code}: .*OAI-PMH error ${code}`)));
}

t.test('an OAI error sent with HTTP 400 is read as the OAI error', (t) =>
  badAnswer(t, () => ({ status: 400, body: ERROR_ANSWERS['badArgument']! }), /oai-badArgument/),
);

t.test('malformed XML fails the run', (t) => badAnswer(t, () => ({ body: fixture('datacite-ListRecords.xml').slice(0, 2000) }), /malformed-xml: .*line/));

t.test('an HTML page sent with 200 fails the run', (t) =>
  badAnswer(t, () => ({ contentType: 'text/html; charset=utf-8', body: '<html><body>Repository down for maintenance</body></html>' }), /html-page/),
);

t.test('a wrong Content-Type fails the run', (t) => badAnswer(t, () => ({ contentType: 'application/json', body: '{}' }), /wrong-content-type/));

t.test('XML that is not OAI-PMH fails the run', (t) =>
  badAnswer(t, () => ({ body: fixture('datacite-ListRecords.xml').replaceAll('http://www.openarchives.org/OAI/2.0/', 'urn:not-oai') }), /not-oai-pmh/),
);

t.test('a DOCTYPE is refused', (t) =>
  badAnswer(
    t,
    () => ({ body: '<?xml version="1.0"?><!DOCTYPE OAI-PMH SYSTEM "file:///etc/passwd"><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>' }),
    /doctype-refused/,
  ),
);

/** One oai_dc record (written for this test), in the encoding its declaration names. */
function onePage(title: string, encoding: string): string {
  return `<?xml version="1.0" encoding="${encoding}"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2024-03-01T00:00:00Z</responseDate>
  <request verb="ListRecords" metadataPrefix="oai_dc">http://repo.example.it/oai</request>
  <ListRecords>
    <record>
      <header><identifier>oai:repo.example.it:42</identifier><datestamp>2024-02-29</datestamp></header>
      <metadata>
        <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
          <dc:title>${title}</dc:title>
          <dc:identifier>https://repo.example.it/record/42</dc:identifier>
          <dc:publisher>Università di Esempio</dc:publisher>
        </oai_dc:dc>
      </metadata>
    </record>
  </ListRecords>
</OAI-PMH>`;
}

t.test('a document is decoded in the encoding it declares; bytes that are not UTF-8 in a UTF-8 document are a typed error naming the URL', async (t) => {
  const title = 'Qualità dell’aria, Straßenverkehr, 空氣品質';
  const utf8 = await setup(t, () => ({ body: Buffer.from(onePage(title, 'UTF-8'), 'utf8') }));
  t.equal((await utf8.harvester.run('oai'))!.status, 'succeeded');
  t.equal(utf8.datasets().get('oai:repo.example.it:42')?.title ?? [...utf8.datasets().values()][0]?.title, title, 'UTF-8 as sent');

  const latin = 'Qualità dell’aria, Straßenverkehr'.replace('’', "'");
  const latin1 = await setup(t, () => ({ body: Buffer.from(onePage(latin, 'ISO-8859-1'), 'latin1'), contentType: 'text/xml' }));
  t.equal((await latin1.harvester.run('oai'))!.status, 'succeeded');
  t.equal([...latin1.datasets().values()][0]?.title, latin, 'ISO-8859-1 as declared, not read as UTF-8');

  // A Latin-1 byte (0xE0, à) in a document that says UTF-8.
  const bad = Buffer.from(onePage('Qualit\u0000 dell’aria', 'UTF-8'), 'utf8');
  const at = bad.indexOf(0);
  bad[at] = 0xe0;
  const broken = await setup(t, () => ({ body: bad }));
  const run = await broken.harvester.run('oai');
  t.equal(run!.status, 'failed', 'the document is not well-formed XML: nothing of it is stored');
  t.same([...broken.datasets().keys()], [], 'no record with a replacement character');
  const [error] = runErrors(broken.db, run!.runId);
  t.match(error, { stage: 'source', rule: 'invalid-encoding' });
  t.match(error!.message, broken.repository.url, 'names the URL');
  t.match(error!.message, new RegExp(`byte ${at}\\b`), 'and where');
  t.match(error!.message, /UTF-8/);
});
