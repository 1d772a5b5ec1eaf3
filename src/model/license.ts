/**
 * Licences Taiwan's platforms publish under, recognised from the many ways they are written
 * (names, codes, SPDX ids, URLs) and returned in one canonical name + URL.
 */

export interface KnownLicense {
  name: string;
  url: string;
}

export const OGDL_TAIWAN_V1: KnownLicense = Object.freeze({
  name: '政府資料開放授權條款-第1版',
  url: 'https://data.gov.tw/license',
});

/** The pre-2015 terms of use, still named in old records (e.g. SPEC2015's own example). */
export const DATA_GOV_TW_PRINCIPLE: KnownLicense = Object.freeze({
  name: '政府資料開放平臺資料使用規範',
  url: 'http://data.gov.tw/principle',
});

export const CC_BY_4_0: KnownLicense = Object.freeze({
  name: 'CC BY 4.0',
  url: 'https://creativecommons.org/licenses/by/4.0/',
});

export const CC_BY_SA_4_0: KnownLicense = Object.freeze({
  name: 'CC BY-SA 4.0',
  url: 'https://creativecommons.org/licenses/by-sa/4.0/',
});

export const CC0_1_0: KnownLicense = Object.freeze({
  name: 'CC0 1.0',
  url: 'https://creativecommons.org/publicdomain/zero/1.0/',
});

export const OFL_1_1: KnownLicense = Object.freeze({
  name: 'SIL Open Font License 1.1',
  url: 'https://openfontlicense.org/open-font-license-official-text/',
});

/**
 * Patterns over the compacted text (see compact()): lower case, no spaces or punctuation,
 * so `CC BY-SA 4.0`, `cc-by-sa-4.0` and `CC BY SA 4.0` all read `ccbysa40`.
 */
const NAME_PATTERNS: ReadonlyArray<readonly [RegExp, KnownLicense]> = [
  // 政府開放資料授權條款 (word order swapped) is how SPEC2015's field table itself writes it.
  [/^(政府資料開放|政府開放資料)授權條款(第(1|一)版|v?10?|版本10?)?$/, OGDL_TAIWAN_V1],
  [/^opengovernmentdatalicense(taiwan)?(version|v)?(10?)?$/, OGDL_TAIWAN_V1],
  [/^ogdl(taiwan)?v?10?$/, OGDL_TAIWAN_V1],
  // data.gov.tw API v2 codes `license: "1"`; only code 1 is documented.
  [/^1$/, OGDL_TAIWAN_V1],
  [/^政府資料開放平[臺台]資料使用規範$/, DATA_GOV_TW_PRINCIPLE],
  [/^(cc|creativecommons)(by|attribution)v?40(international|intl|國際)?(license|licence|授權條款)?$/, CC_BY_4_0],
  [/^創用cc姓名標示v?40(國際)?(授權條款)?$/, CC_BY_4_0],
  [/^(cc|creativecommons)(bysa|attributionsharealike)v?40(international|intl|國際)?(license|licence|授權條款)?$/, CC_BY_SA_4_0],
  [/^創用cc姓名標示相同方式分享v?40(國際)?(授權條款)?$/, CC_BY_SA_4_0],
  [/^(cc0|cczero|creativecommonszero)(v?10)?(universal)?(publicdomaindedication)?$/, CC0_1_0],
  [/^創用cc0?(公眾領域貢獻宣告)(10)?(通用)?$/, CC0_1_0],
  [/^(sil)?(ofl|openfontlicense)(version|v)?11$/, OFL_1_1],
];

/** Host + path (lower case, no `www.`, no trailing slash, no deed/legalcode suffix) → licence. */
const URL_PATTERNS: ReadonlyArray<readonly [RegExp, KnownLicense]> = [
  [/^data\.gov\.tw\/(en\/)?license$/, OGDL_TAIWAN_V1],
  [/^data\.gov\.tw\/principle$/, DATA_GOV_TW_PRINCIPLE],
  [/^creativecommons\.org\/licenses\/by\/4\.0$/, CC_BY_4_0],
  [/^creativecommons\.org\/licenses\/by-sa\/4\.0$/, CC_BY_SA_4_0],
  [/^creativecommons\.org\/publicdomain\/zero\/1\.0$/, CC0_1_0],
  [/^openfontlicense\.org(\/.*)?$/, OFL_1_1],
  [/^scripts\.sil\.org\/(ofl|cms\/scripts\/page\.php)$/, OFL_1_1],
  [/^opensource\.org\/licenses?\/ofl-1\.1$/, OFL_1_1],
];

/**
 * The canonical licence for a name, code, SPDX id or URL; null when unknown (the caller
 * keeps the publisher's text).
 */
export function normaliseLicense(input: string): KnownLicense | null {
  if (typeof input !== 'string') return null;
  // NFKC folds full-width forms: 第１版, the full-width hyphen － in 授權條款－第1版.
  const text = input.normalize('NFKC').trim();
  if (text === '') return null;

  const urlKey = licenseUrlKey(text);
  if (urlKey !== null) return lookup(URL_PATTERNS, urlKey);
  return lookup(NAME_PATTERNS, compact(text));
}

function lookup(patterns: ReadonlyArray<readonly [RegExp, KnownLicense]>, key: string): KnownLicense | null {
  for (const [pattern, license] of patterns) {
    if (pattern.test(key)) return { ...license };
  }
  return null;
}

function compact(text: string): string {
  return text.toLowerCase().replace(/[\s\-_.,:;'"()[\]{}\u2010-\u2015\u3000-\u303f（）「」『』【】，、：；]/g, '');
}

/** Null when the text is not a URL; otherwise a scheme-less, comparable key. */
function licenseUrlKey(text: string): string | null {
  const withScheme = /^https?:\/\//i.test(text) ? text : /^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+\//i.test(text) ? `https://${text}` : null;
  if (withScheme === null) return null;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const path = decodeURIComponentSafe(url.pathname)
    .toLowerCase()
    .replace(/\/(deed(\.[a-z_-]+)?|legalcode(\.[a-z_-]+)?)$/, '')
    .replace(/\/+$/, '');
  return `${host}${path}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
