/**
 * dcat:Distribution → the national record's 資料資源 (distribution[]).
 *
 * resourceID: dct:identifier, else the distribution's IRI, else `<identifier>-NNN` (synthesised,
 * flagged). resourceDescription: dct:title, else dct:description (preferred language). format:
 * dct:format, else dcat:mediaType, as a short name (CSV). downloadURL / accessURL as published;
 * a distribution served by a dcat:DataService with no accessURL of its own gets the service's
 * dcat:endpointURL as accessURL (the service's own description goes to extras).
 */
import type { Term } from 'n3';
import type { NationalDistribution } from '../../model/record.js';
import type { MappingNotes } from '../record-fields.js';
import { formatName, readXsdDate } from './codes.js';
import type { DatasetGraph } from './graph.js';
import { pickPreferred } from './languages.js';
import { labelOf } from './nodes.js';
import { term } from './vocab.js';

export interface MappedDistribution {
  distribution: NationalDistribution;
  /** What the distribution has that the national resource has no field for (compact IRI → value). */
  extras: Record<string, unknown>;
  /** The distribution's licence IRIs / texts, so the dataset can take them when it has none. */
  licences: Term[];
}

export function readDistribution(graph: DatasetGraph, notes: MappingNotes, node: Term, path: string, synthesisedId: string): MappedDistribution {
  const distribution: NationalDistribution = {};
  const extras: Record<string, unknown> = {};

  const identifiers = graph.objects(node, term('dct', 'identifier')).filter((value) => value.termType === 'Literal' && value.value.trim() !== '');
  if (identifiers[0] !== undefined) {
    distribution.resourceID = identifiers[0].value.trim();
    if (identifiers.length > 1) extras['dct:identifier'] = identifiers.slice(1).map((value) => value.value);
  } else if (node.termType === 'NamedNode') {
    distribution.resourceID = node.value;
  } else {
    distribution.resourceID = synthesisedId;
    distribution.extensions = { resourceIDSynthesised: true };
  }
  if (node.termType === 'NamedNode' && distribution.resourceID !== node.value) extras['@id'] = node.value;

  const title = pickPreferred(graph.objects(node, term('dct', 'title')));
  const description = pickPreferred(graph.objects(node, term('dct', 'description')));
  const text = title.text ?? description.text;
  if (text !== undefined) distribution.resourceDescription = text;
  // The source's own tag, kept for the views (settled with the source's default by the mapping's last step).
  const textLanguage = title.text !== undefined ? title.language : description.language;
  if (text !== undefined && textLanguage !== undefined)
    distribution.extensions = { ...distribution.extensions, textLanguages: { resourceDescription: textLanguage } };
  if (Object.keys(title.others).length > 0) extras['dct:title'] = title.others;
  if (title.text !== undefined && description.text !== undefined)
    extras['dct:description'] = { ...description.others, [languageOfChoice(graph, node)]: description.text };
  else if (Object.keys(description.others).length > 0) extras['dct:description'] = description.others;

  const format = firstFormat(graph, node, term('dct', 'format')) ?? firstFormat(graph, node, term('dcat', 'mediaType'));
  if (format !== undefined) distribution.format = format;

  const download = iris(graph.objects(node, term('dcat', 'downloadURL')));
  if (download[0] !== undefined) distribution.downloadURL = download[0];
  if (download.length > 1) extras['dcat:downloadURL'] = download.slice(1).map((iri) => ({ '@id': iri }));
  const access = iris(graph.objects(node, term('dcat', 'accessURL')));
  if (access[0] !== undefined) distribution.accessURL = access[0];
  if (access.length > 1) extras['dcat:accessURL'] = access.slice(1).map((iri) => ({ '@id': iri }));

  const services = graph.objects(node, term('dcat', 'accessService'));
  if (services.length > 0) {
    if (distribution.accessURL === undefined) {
      const endpoint = services.flatMap((service) => iris(graph.objects(service, term('dcat', 'endpointURL'))))[0];
      if (endpoint !== undefined) {
        distribution.accessURL = endpoint;
        notes.report(`${path}.accessURL`, 'derived', `${path} has no accessURL; the endpointURL of its dcat:accessService stands in: ${endpoint}`, 'warning');
      }
    }
    extras['dcat:accessService'] = services.map((service) => graph.describe(service));
  }

  const modified = graph.objects(node, term('dct', 'modified'))[0];
  if (modified !== undefined) {
    const date = readXsdDate(modified, 'point', notes.context.timeZone);
    if (date.ok) distribution.resourceModified = date.value;
    else {
      extras['dct:modified'] = graph.describe(modified);
      notes.report(
        `${path}.resourceModified`,
        'normalise',
        `${path} dct:modified could not be read as a date (${date.reason}); kept in sourceExtras`,
        'warning',
      );
    }
  }
  const encoding = graph.objects(node, term('cnt', 'characterEncoding')).find((value) => value.termType === 'Literal');
  if (encoding !== undefined) distribution.characterSetCode = encoding.value.trim();

  const licences = graph.objects(node, term('dct', 'license'));
  if (licences.length > 0) extras['dct:license'] = licences.map((licence) => graph.describe(licence));

  Object.assign(extras, graph.leftovers(node));
  return { distribution, extras, licences };
}

/** The language tag the chosen description had: description and title can differ in language. */
function languageOfChoice(graph: DatasetGraph, node: Term): string {
  const chosen = pickPreferred(graph.objects(node, term('dct', 'description'))).text;
  const literal = graph.objects(node, term('dct', 'description')).find((value) => value.termType === 'Literal' && value.value.trim() === chosen);
  return literal?.termType === 'Literal' && literal.language !== '' ? literal.language : '@none';
}

function firstFormat(graph: DatasetGraph, node: Term, predicate: string): string | undefined {
  for (const value of graph.objects(node, predicate)) {
    const label = value.termType === 'Literal' ? undefined : (labelOf(graph, value) ?? pickPreferred(graph.objects(value, term('rdf', 'value'))).text);
    const name = formatName(value, label);
    if (name !== undefined) return name;
  }
  return undefined;
}

function iris(values: Term[]): string[] {
  return values
    .filter((value) => value.termType === 'NamedNode' || value.termType === 'Literal')
    .map((value) => value.value.trim())
    .filter((value) => value !== '');
}
