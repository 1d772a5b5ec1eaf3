/**
 * Readers for the structured nodes a dataset points to: agents (publisher), contact points
 * (vCard), periods of time, places. Each reads what the national record has a field for and
 * leaves the rest of the node to the caller's extras.
 */
import type { Term } from 'n3';
import type { DatasetGraph } from './graph.js';
import { pickPreferred } from './languages.js';
import { readXsdDate } from './codes.js';
import { term } from './vocab.js';

/** Names of agents, vCards and concepts, most specific first. */
const NAME_PROPERTIES = [
  term('foaf', 'name'),
  term('skos', 'prefLabel'),
  term('vcard', 'fn'),
  term('vcard', 'organization-name'),
  term('schema', 'name'),
  term('sdo', 'name'),
  term('dct', 'title'),
  term('rdfs', 'label'),
];

/** The preferred-language name of a node, from the first naming property that has one. */
export function labelOf(graph: DatasetGraph, node: Term): string | undefined {
  if (node.termType === 'Literal') return node.value.trim() || undefined;
  for (const property of NAME_PROPERTIES) {
    const text = pickPreferred(graph.objects(node, property)).text;
    if (text !== undefined) return text;
  }
  return undefined;
}

export interface Contact {
  name?: string;
  email?: string;
  phone?: string;
}

/** A vCard (DCAT contactPoint, GeoDCAT's vCard publisher): fn / organization-name, hasEmail, hasTelephone. */
export function readContact(graph: DatasetGraph, node: Term): Contact {
  const contact: Contact = {};
  const name = pickPreferred(graph.firstOf(node, [term('vcard', 'fn'), term('vcard', 'organization-name'), term('foaf', 'name')])).text;
  if (name !== undefined) contact.name = name;
  const email = graph
    .firstOf(node, [term('vcard', 'hasEmail'), term('foaf', 'mbox'), term('vcard', 'email')])
    .map((value) => valueOf(graph, value, 'mailto:'))[0];
  if (email !== undefined) contact.email = email;
  const phone = graph
    .firstOf(node, [term('vcard', 'hasTelephone'), term('vcard', 'tel'), term('foaf', 'phone')])
    .map((value) => valueOf(graph, value, 'tel:'))[0];
  if (phone !== undefined) contact.phone = phone;
  return contact;
}

/**
 * `<mailto:a@b>`, `"a@b"`, or a node `[ vcard:hasValue <mailto:a@b> ]` → `a@b` (scheme and URL
 * escapes removed).
 */
function valueOf(graph: DatasetGraph, value: Term, scheme: string): string | undefined {
  let raw = value;
  if (value.termType === 'BlankNode' || (value.termType === 'NamedNode' && graph.isDescribed(value) && !value.value.toLowerCase().startsWith(scheme))) {
    const inner = graph.objects(value, term('vcard', 'hasValue'))[0];
    if (inner === undefined) return undefined;
    raw = inner;
  }
  let text = raw.value.trim();
  if (text.toLowerCase().startsWith(scheme)) text = text.slice(scheme.length);
  try {
    text = decodeURIComponent(text);
  } catch {
    // Not escaped: keep as is.
  }
  return text === '' ? undefined : text;
}

export interface Period {
  start?: string;
  end?: string;
  /** Values that are not dates, with the reason, to report and keep. */
  unreadable: string[];
}

const START_PROPERTIES = [term('dcat', 'startDate'), term('schema', 'startDate'), term('sdo', 'startDate')];
const END_PROPERTIES = [term('dcat', 'endDate'), term('schema', 'endDate'), term('sdo', 'endDate')];
const TIME_INSTANT_VALUES = [
  term('time', 'inXSDDate'),
  term('time', 'inXSDDateTimeStamp'),
  term('time', 'inXSDDateTime'),
  term('time', 'inXSDgYear'),
  term('time', 'inXSDgYearMonth'),
];

/** A dct:PeriodOfTime: DCAT's startDate / endDate, schema.org's, or OWL-Time's hasBeginning / hasEnd instants. */
export function readPeriod(graph: DatasetGraph, node: Term, timeZone: string): Period {
  const period: Period = { unreadable: [] };
  const bound = (role: 'start' | 'end', direct: string[], instant: string): void => {
    let values = graph.firstOf(node, direct);
    if (values.length === 0) {
      for (const moment of graph.objects(node, instant)) values = [...values, ...graph.firstOf(moment, TIME_INSTANT_VALUES)];
    }
    const value = values[0];
    if (value === undefined) return;
    const date = readXsdDate(value, role, timeZone);
    if (date.ok) period[role] = date.value;
    else period.unreadable.push(`${role}: ${date.reason}`);
  };
  bound('start', START_PROPERTIES, term('time', 'hasBeginning'));
  bound('end', END_PROPERTIES, term('time', 'hasEnd'));
  return period;
}

/** A place's text: its name, else its notation (a code such as a geonames id), else its IRI. */
export function placeText(graph: DatasetGraph, node: Term): string | undefined {
  if (node.termType === 'Literal') return node.value.trim() || undefined;
  const name =
    labelOf(graph, node) ??
    pickPreferred(graph.objects(node, term('locn', 'geographicName'))).text ??
    pickPreferred(graph.objects(node, term('skos', 'notation'))).text;
  if (name !== undefined) return name;
  return node.termType === 'NamedNode' ? node.value : undefined;
}
