/**
 * EU data themes (the Publications Office's data-theme authority table, which DCAT-AP
 * recommends for dcat:theme) of Taiwan's 服務分類, from the curated table
 * mappings/service-category-eu-data-theme.json (how each was chosen is written there).
 *
 * Loaded and checked once, when the module is first imported (at start-up): the file is edited
 * by hand, and a broken one stops the gateway with a message naming what is wrong rather than
 * publishing wrong themes or filtering by them.
 *
 * Used by the DCAT views (dcat:theme next to the 服務分類 concept) and by GET /catalog?theme=
 * (a theme selects the datasets whose category maps to it), so both always agree.
 */
import { readFileSync } from 'node:fs';
import { SERVICE_CATEGORIES } from './codelists.js';
import { projectPath } from './project-root.js';

export const SERVICE_CATEGORY_EU_THEMES_PATH = projectPath('mappings', 'service-category-eu-data-theme.json');

export interface EuDataTheme {
  /** The authority code, e.g. `TRAN`. */
  code: string;
  /** `http://publications.europa.eu/resource/authority/data-theme/TRAN` */
  iri: string;
  /** The English preferred label, e.g. `Transport`. */
  label: string;
}

export interface ServiceCategoryThemes {
  /** The concept scheme IRI of the EU table. */
  scheme: string;
  /** A theme's IRI is this + its code. */
  base: string;
  /** Every theme of the table by code. */
  themes: ReadonlyMap<string, EuDataTheme>;
  /** 服務分類 code → its themes, in the order the file gives them. */
  byCategory: ReadonlyMap<string, readonly EuDataTheme[]>;
  /** Theme code → the 服務分類 codes mapped to it, in code order (empty for a theme nothing maps to). */
  categoriesByTheme: ReadonlyMap<string, readonly string[]>;
}

/** A theme code of the authority table: upper-case letters, digits and `_`. */
const THEME_CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * Reads and checks a mapping file: every 服務分類 code exactly once, each with one or more
 * distinct themes of the file's own table and a reason. Throws an Error naming the file and every
 * problem found.
 */
export function loadServiceCategoryThemes(path: string, categories: Readonly<Record<string, string>> = SERVICE_CATEGORIES): ServiceCategoryThemes {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot be read as JSON: ${(err as Error).message}`, { cause: err });
  }
  const problems: string[] = [];
  const file = isPlainObject(parsed) ? parsed : (problems.push('expected a JSON object'), {});

  const scheme = file['scheme'];
  const base = file['base'];
  if (typeof scheme !== 'string' || !/^https?:\/\/\S+$/.test(scheme)) problems.push('"scheme" must be the IRI of the EU data-theme table');
  if (typeof base !== 'string' || !/^https?:\/\/\S+\/$/.test(base)) problems.push('"base" must be an IRI ending in "/" (a theme IRI is base + code)');

  const themes = new Map<string, EuDataTheme>();
  const themeTable = file['themes'];
  if (!isPlainObject(themeTable)) problems.push('"themes" must be an object of code → English label');
  else {
    for (const [code, label] of Object.entries(themeTable)) {
      if (code.startsWith('$')) continue;
      if (!THEME_CODE.test(code)) problems.push(`themes: "${code}" is not a theme code (upper-case, e.g. TRAN)`);
      else if (typeof label !== 'string' || label.trim() === '') problems.push(`themes.${code}: the label must be a non-empty string`);
      else themes.set(code, { code, iri: `${typeof base === 'string' ? base : ''}${code}`, label });
    }
    if (themes.size === 0) problems.push('"themes" lists no theme');
  }

  const byCategory = new Map<string, readonly EuDataTheme[]>();
  const entries = file['byServiceCategory'];
  if (!isPlainObject(entries)) problems.push('"byServiceCategory" must be an object of 服務分類 code → {themes, why}');
  else {
    for (const [code, entry] of Object.entries(entries)) {
      if (code.startsWith('$')) continue;
      const at = `byServiceCategory.${code}`;
      if (!Object.hasOwn(categories, code)) {
        problems.push(`${at}: not a 服務分類 code (${Object.keys(categories).join(', ')})`);
        continue;
      }
      if (!isPlainObject(entry)) {
        problems.push(`${at}: must be an object {"themes": [...], "why": "..."}`);
        continue;
      }
      if (entry['label'] !== undefined && entry['label'] !== categories[code]) {
        problems.push(`${at}.label: "${String(entry['label'])}" is not the category's name ${categories[code]}`);
      }
      if (typeof entry['why'] !== 'string' || entry['why'].trim() === '') problems.push(`${at}.why: say why these themes (a non-empty string)`);
      const codes = entry['themes'];
      if (!Array.isArray(codes) || codes.length === 0) {
        problems.push(`${at}.themes: must be a non-empty array of theme codes`);
        continue;
      }
      const mapped: EuDataTheme[] = [];
      for (const themeCode of codes) {
        const theme = typeof themeCode === 'string' ? themes.get(themeCode) : undefined;
        if (theme === undefined) problems.push(`${at}.themes: ${JSON.stringify(themeCode)} is not a theme of "themes"`);
        else if (mapped.includes(theme)) problems.push(`${at}.themes: ${theme.code} is given twice`);
        else mapped.push(theme);
      }
      byCategory.set(code, Object.freeze(mapped));
    }
    const missing = Object.keys(categories).filter((code) => !Object.hasOwn(entries, code));
    if (missing.length > 0) problems.push(`byServiceCategory: no themes for ${missing.join(', ')} (every 服務分類 code needs at least one)`);
  }

  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);

  const categoriesByTheme = new Map<string, string[]>([...themes.keys()].map((code) => [code, []]));
  for (const code of Object.keys(categories).sort()) {
    for (const theme of byCategory.get(code) ?? []) categoriesByTheme.get(theme.code)!.push(code);
  }
  return { scheme: scheme as string, base: base as string, themes, byCategory, categoriesByTheme };
}

/** The table the gateway runs with, checked at start-up. */
export const SERVICE_CATEGORY_EU_THEMES: ServiceCategoryThemes = loadServiceCategoryThemes(SERVICE_CATEGORY_EU_THEMES_PATH);

/** The EU data themes of a 服務分類 code (exact, upper-case as stored); [] for a code outside the 18. */
export function euThemesOfCategory(categoryCode: string): readonly EuDataTheme[] {
  return SERVICE_CATEGORY_EU_THEMES.byCategory.get(categoryCode) ?? [];
}

/**
 * An EU data theme as a client writes it: the full IRI (http or https) or the bare code, in any
 * case (`TRAN`, `tran`, `https://publications.europa.eu/resource/authority/data-theme/TRAN`).
 * `undefined` when the text is neither; `{ unknown: code }` when it names the EU table but a
 * code the table does not have.
 */
export function readEuDataTheme(text: string): EuDataTheme | { unknown: string } | undefined {
  const trimmed = text.trim();
  const base = SERVICE_CATEGORY_EU_THEMES.base.replace(/^https?:/i, '').toLowerCase();
  const withoutScheme = trimmed.replace(/^https?:/i, '');
  let code: string;
  if (withoutScheme.toLowerCase().startsWith(base)) code = withoutScheme.slice(base.length);
  else if (/^[A-Za-z][A-Za-z0-9_]*$/.test(trimmed)) code = trimmed;
  else return undefined;
  const theme = SERVICE_CATEGORY_EU_THEMES.themes.get(code.toUpperCase());
  if (theme !== undefined) return theme;
  // A bare word that is no theme code is not necessarily meant as one (`transport`): only an
  // IRI of the table is reported as an unknown theme.
  return withoutScheme.toLowerCase().startsWith(base) ? { unknown: code } : undefined;
}

/** The 服務分類 codes whose datasets carry this theme. */
export function categoriesOfEuTheme(theme: EuDataTheme): readonly string[] {
  return SERVICE_CATEGORY_EU_THEMES.categoriesByTheme.get(theme.code) ?? [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
