/**
 * Readers the XML vocabularies (CSW Dublin Core, ISO 19139, OAI-PMH Dublin Core, DataCite) share
 * when they fill the national record: language codes, dataset types, bounding boxes, synthesised
 * resource ids and the extras bag. Each returns undefined rather than guessing.
 */
import { normaliseFrequency } from '../model/frequency.js';
import type { NationalRecord } from '../model/record.js';
import { toPlainValue, type XmlElement } from './xml-elements.js';

/** ISO 639-2 (bibliographic and terminology) codes of the languages the standard lists → ISO 639-1. */
const ISO_639_2_TO_1: Readonly<Record<string, string>> = {
  chi: 'zh',
  zho: 'zh',
  eng: 'en',
  jpn: 'ja',
  fre: 'fr',
  fra: 'fr',
  ger: 'de',
  deu: 'de',
  rus: 'ru',
  spa: 'es',
  por: 'pt',
  ara: 'ar',
};

const ISO_639_1 = new Set(['zh', 'en', 'ja', 'fr', 'de', 'ru', 'es', 'pt', 'ar']);

/**
 * A language as these vocabularies write it (`eng`, `en`, `en-US`, `zh_TW`, `English`) → the
 * standard's ISO 639-1 code; the text as sent when it is none of those (validation flags it).
 */
export function languageCode(text: string): string {
  const compact = text.trim().toLowerCase();
  const primary = compact.split(/[-_]/)[0] ?? compact;
  if (ISO_639_1.has(primary)) return primary;
  const fromThreeLetters = ISO_639_2_TO_1[primary];
  if (fromThreeLetters !== undefined) return fromThreeLetters;
  const byName: Readonly<Record<string, string>> = { english: 'en', chinese: 'zh', 中文: 'zh', 英文: 'en', japanese: 'ja', 日文: 'ja' };
  return byName[compact] ?? text.trim();
}

/**
 * The national dataset type (rawData, TOOLS, SERVICES) for a resource type: ISO
 * MD_ScopeCode (dataset, series, service, software, application) or a DCMI type (name or
 * URI). Undefined for types with no counterpart (Text, Image …): the source value goes to extras.
 */
export function datasetType(text: string): NationalRecord['type'] | undefined {
  const name = (text.trim().split(/[/#]/).pop() ?? '').toLowerCase();
  if (name === 'dataset' || name === 'series' || name === 'nonGeographicDataset'.toLowerCase()) return 'rawData';
  if (name === 'service') return 'SERVICES';
  if (name === 'software' || name === 'application') return 'TOOLS';
  return undefined;
}

/**
 * A WGS 84 bounding box (west, south, east, north in degrees) → a GeoJSON Polygon text, the form
 * the DCAT-AP view publishes as locn:geometry. Undefined when a value is not a coordinate.
 */
export function boundingBoxGeoJson(west: number, south: number, east: number, north: number): string | undefined {
  const inRange = [west, east].every((x) => Number.isFinite(x) && Math.abs(x) <= 180) && [south, north].every((y) => Number.isFinite(y) && Math.abs(y) <= 90);
  if (!inRange || south > north) return undefined;
  const ring = [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

/** The standard's resource id form for a resource that has none: identifier-NNN (as gen-2 resources get). */
export function synthesisedResourceId(identifier: string, index: number): string {
  return `${identifier}-${String(index + 1).padStart(3, '0')}`;
}

/**
 * ISO 19115 MD_MaintenanceFrequencyCode → the standard's frequency text. The codes the shared
 * normaliser does not know by name are translated first; `unknown` says nothing and gives undefined.
 */
export function maintenanceFrequency(code: string): string | undefined {
  const translated: Readonly<Record<string, string>> = { continual: 'continuous', notplanned: 'never', asneeded: 'asneeded' };
  const key = code.trim().toLowerCase();
  if (key === '' || key === 'unknown') return undefined;
  return normaliseFrequency(translated[key] ?? key)?.text;
}

/** Adds `value` to the extras bag under `key` unless it is empty; repeated keys collect into a list. */
export function addExtra(extras: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  extras[key] = value;
}

/** Whether a text is an absolute http(s) URL. */
export function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/i.test(text.trim());
}

/**
 * The children of one record element, taken as the mapping uses them; what is left over is the
 * extras bag, keyed by canonical element name (a list when repeated).
 */
export class ElementFields {
  private readonly unused: Set<XmlElement>;
  private readonly extras: Record<string, unknown> = {};

  constructor(private readonly element: XmlElement) {
    this.unused = new Set(element.children);
  }

  /** Unused children with one of these names. */
  elements(...names: string[]): XmlElement[] {
    return this.element.children.filter((child) => this.unused.has(child) && names.includes(child.name));
  }

  /** The first non-empty text of an unused child with this name, without taking it. */
  peek(name: string): string | undefined {
    return this.elements(name).find((child) => child.text !== '')?.text;
  }

  /** Takes the first child with this name and non-empty text; its text. Empty ones are taken too. */
  takeFirst(name: string): string | undefined {
    for (const child of this.elements(name)) {
      this.unused.delete(child);
      if (child.text !== '') return child.text;
    }
    return undefined;
  }

  /** Takes every child with this name that `accept`s; their distinct non-empty texts. */
  takeAll(name: string, accept: (element: XmlElement) => boolean = () => true): string[] {
    const texts: string[] = [];
    for (const child of this.elements(name)) {
      if (!accept(child)) continue;
      this.unused.delete(child);
      if (child.text !== '' && !texts.includes(child.text)) texts.push(child.text);
    }
    return texts;
  }

  consume(element: XmlElement): void {
    this.unused.delete(element);
  }

  /** Takes every child with this name (read by the caller through the element tree). */
  consumeAll(name: string): void {
    for (const child of this.elements(name)) this.unused.delete(child);
  }

  /** A value read from consumed elements that has no national field. */
  extra(key: string, value: unknown): void {
    addExtra(this.extras, key, value);
  }

  /** The extras bag: explicit extras plus every unused child that carries anything (a list when repeated). */
  leftovers(): Record<string, unknown> {
    const groups = new Map<string, unknown[]>();
    for (const child of this.element.children) {
      if (!this.unused.has(child)) continue;
      const value = toPlainValue(child);
      if (value === '') continue;
      groups.set(child.name, [...(groups.get(child.name) ?? []), value]);
    }
    const bag: Record<string, unknown> = { ...this.extras };
    for (const [name, values] of groups) bag[name] = values.length === 1 ? values[0] : values;
    return bag;
  }
}
