import t, { type Test } from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { DataFactory, Parser } from 'n3';
import { canonicalNQuads, referenceCanonicalNQuads } from '../../connectors/dcat/canonical.js';
import { datasetsOf } from '../../connectors/dcat/datasets.js';
import { chooseFormat } from '../../connectors/dcat/formats.js';
import { parsePage } from '../../connectors/dcat/parse.js';
import { mapDcatRecord } from '../../src/mapping/dcat.js';
import { projectPath } from '../../src/model/project-root.js';
import { dcatDocumentBytes } from '../bench/synthetic-dcat.js';

/**
 * The DCAT payload's canonical N-Quads are written without jsonld.canonize where RDFC-1.0's
 * first-degree hashes name every blank node (connectors/dcat/canonical.ts). RDFC-1.0's output
 * does not depend on the input's labels, so a payload is what jsonld.canonize would have written
 * exactly when canonising the payload again gives it back unchanged.
 */

const { blankNode, literal, namedNode, quad } = DataFactory;

/** Payloads as the connector makes them; and, as a check of the quads it hands the mapping, that a fresh payload maps as one read back from the store (a copy, parsed). */
async function payloadsOf(t: Test, url: string, body: string): Promise<Array<{ nativeId: string; nquads: string }>> {
  const choice = chooseFormat(url, undefined, body);
  if ('refused' in choice) throw new Error(choice.reason);
  const graph = await parsePage({ sourceId: 'test', url, body, format: choice.format });
  const found = await datasetsOf(graph, { maxQuadsPerDataset: 20_000 });
  for (const dataset of found)
    t.same(mapDcatRecord(dataset.payload), mapDcatRecord({ ...dataset.payload }), `${dataset.nativeId}: maps the same fresh and stored`);
  return found.map((dataset) => ({ nativeId: dataset.nativeId, nquads: dataset.payload.nquads }));
}

async function sameAsJsonLd(t: Test, label: string, payloads: ReadonlyArray<{ nativeId: string; nquads: string }>): Promise<void> {
  for (const { nativeId, nquads } of payloads) {
    const again = await referenceCanonicalNQuads(new Parser({ format: 'N-Quads', blankNodePrefix: '' }).parse(nquads));
    t.equal(nquads, again, `${label} ${nativeId}: what jsonld.canonize writes`);
  }
}

t.test('every DCAT fixture in Turtle: each dataset payload is RDFC-1.0 as jsonld.canonize writes it', async (t) => {
  for (const folder of ['w3c-dcat3-examples', 'dcat-ap-3.0.1-examples', 'own']) {
    for (const file of readdirSync(projectPath('test', 'fixtures', 'dcat', folder)).filter((name) => name.endsWith('.ttl'))) {
      const body = readFileSync(projectPath('test', 'fixtures', 'dcat', folder, file), 'utf8');
      let payloads: Array<{ nativeId: string; nquads: string }>;
      try {
        payloads = await payloadsOf(t, `https://fixtures.test/${folder}/${file}`, body);
      } catch {
        continue; // The examples published as invalid Turtle (dcat.test.ts covers them).
      }
      await sameAsJsonLd(t, file, payloads);
    }
  }
});

t.test('the bench catalogue (blank contact points and periods): the same', async (t) => {
  const body = dcatDocumentBytes(40, 'turtle').toString('utf8');
  const payloads = await payloadsOf(t, 'https://data.example.gov.tw/catalog.ttl', body);
  t.equal(payloads.length, 40);
  t.ok(
    payloads.some((payload) => payload.nquads.includes('_:c14n1')),
    'some payloads have two blank nodes',
  );
  await sameAsJsonLd(t, 'bench', payloads);
  // The check can fail: the same graph with its two blank labels swapped is not canonical.
  const two = payloads.find((payload) => payload.nquads.includes('_:c14n1'))!.nquads;
  const swapped = two.replace(/c14n0/g, 'c14nX').replace(/c14n1/g, 'c14n0').replace(/c14nX/g, 'c14n1');
  t.not(swapped, await referenceCanonicalNQuads(new Parser({ format: 'N-Quads', blankNodePrefix: '' }).parse(swapped)), 'swapped labels are caught');
});

t.test('blank nodes alike at first degree go to jsonld.canonize; literals that need escapes are escaped alike', async (t) => {
  const dataset = namedNode('https://data.example.gov.tw/dataset/1');
  const contact = namedNode('http://www.w3.org/ns/dcat#contactPoint');
  const fn = namedNode('http://www.w3.org/2006/vcard/ns#fn');
  // Two contact points with the same name: their first-degree hashes are equal.
  const alike = [
    quad(dataset, contact, blankNode('x')),
    quad(dataset, contact, blankNode('y')),
    quad(blankNode('x'), fn, literal('王小明')),
    quad(blankNode('y'), fn, literal('王小明')),
  ];
  t.equal(await canonicalNQuads(alike), await referenceCanonicalNQuads(alike));
  const awkward = [
    quad(dataset, fn, literal('a "quoted"\tline\nand a \\ backslash\u0001', 'zh-hant')),
    quad(dataset, fn, literal('42', namedNode('http://www.w3.org/2001/XMLSchema#integer'))),
  ];
  t.equal(await canonicalNQuads(awkward), await referenceCanonicalNQuads(awkward));
});
