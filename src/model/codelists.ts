/**
 * Code lists of the national metadata standard (SPEC2015 §1.4, §1.5 of docs/tw-standards.md).
 */

/** 政府入口網服務分類: the 18 service categories (categoryCode / gen-2 categoryService). */
export const SERVICE_CATEGORIES: Readonly<Record<string, string>> = Object.freeze({
  '100': '生育保健',
  '200': '出生及收養',
  '300': '求學及進修',
  '400': '服兵役',
  '500': '求職及就業',
  '600': '開創事業',
  '700': '婚姻',
  '800': '投資理財',
  '900': '休閒旅遊',
  A00: '交通及通訊',
  B00: '就醫',
  C00: '購屋及遷徙',
  D00: '選舉及投票',
  E00: '生活安全及品質',
  F00: '退休',
  G00: '老年安養',
  H00: '生命禮儀',
  I00: '公共資訊',
});

/** 資料集類型 */
export const DATASET_TYPES = ['rawData', 'TOOLS', 'SERVICES'] as const;

/** 計費方式 (gen-1 text values). */
export const COST_VALUES = ['免費', '付費'] as const;

/** 資料集語系: the ISO 639-1 codes SPEC2015 lists (CNS13188). */
export const LANGUAGE_CODES = ['zh', 'en', 'ja', 'fr', 'de', 'ru', 'es', 'pt', 'ar'] as const;

/** Identifier pattern from the standard's JSON Schema: agency code (10) + '-' + serial (6). */
export const IDENTIFIER_PATTERN = /^[a-zA-Z_0-9]{10}-[a-zA-Z_0-9]{6}$/;
