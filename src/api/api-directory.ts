/**
 * The gateway's APIs, as the home page and /apis.json list them: one entry per API, in the
 * order a newcomer should meet them. Paths are relative to the gateway's root.
 */
export interface ApiEntry {
  /** Stable fragment id on the home page (`/#search`), also the humanURL's anchor. */
  key: string;
  nameZh: string;
  name: string;
  descriptionZh: string;
  description: string;
  /** Root path of the API (the apis.json baseURL). */
  basePath: string;
  /** Paths worth a click on the home page: each answers a GET with no parameters filled in. */
  examples: Array<{ path: string; label: string }>;
  /** The OpenAPI tag its operations carry. */
  tag: string;
}

export const API_DIRECTORY: readonly ApiEntry[] = [
  {
    key: 'cross-platform',
    nameZh: '政府資料開放跨平臺介接規範 v1',
    name: 'Cross-platform interface spec v1 (read side)',
    descriptionZh:
      '資料集編號清單（可依 modified 篩選、分頁）與單一資料集詮釋資料（資料集詮釋資料標準規範第一代欄位），以及 2015 共通性資料存取規範的分類（group）與標籤（tag）。',
    description:
      'Identifiers of the federated catalogue (filter by modified, paged) and one dataset in the national metadata standard (gen-1 keys); plus the 2015 common data-access API groups and tags.',
    basePath: '/api/v1/rest/dataset',
    examples: [
      { path: '/api/v1/rest/dataset', label: 'GET /api/v1/rest/dataset' },
      { path: '/api/v1/rest/group', label: 'GET /api/v1/rest/group' },
      { path: '/api/v1/rest/tag', label: 'GET /api/v1/rest/tag' },
    ],
    tag: 'cross-platform',
  },
  {
    key: 'gen2',
    nameZh: '資料集詮釋資料（第二代格式）',
    name: 'Dataset metadata, gen-2 shape (data.gov.tw v2)',
    descriptionZh: '單一資料集，依 data.gov.tw v2 介接的第二代欄位輸出：/api/v2/rest/dataset/{datasetId}。',
    description: "One dataset in the gen-2 shape of data.gov.tw's v2 API: /api/v2/rest/dataset/{datasetId}.",
    basePath: '/api/v2/rest/dataset',
    examples: [],
    tag: 'cross-platform',
  },
  {
    key: 'catalog',
    nameZh: 'DCAT-AP 目錄',
    name: 'DCAT-AP 3 catalogue',
    descriptionZh:
      '整個聯合目錄為 DCAT-AP 3 dcat:Catalog（JSON-LD、Turtle、RDF/XML、N-Triples，依 Accept 或副檔名），分頁並可篩選；單一資料集 /dataset/{identifier}.jsonld。',
    description:
      'The federated catalogue as a DCAT-AP 3 dcat:Catalog (JSON-LD, Turtle, RDF/XML, N-Triples by Accept or suffix), paged and filterable; one dataset at /dataset/{identifier}.jsonld.',
    basePath: '/catalog',
    examples: [{ path: '/catalog', label: 'GET /catalog' }],
    tag: 'catalog',
  },
  {
    key: 'search',
    nameZh: '全文檢索',
    name: 'Search',
    descriptionZh: '以中文或英文關鍵字檢索資料集，可依提供機關、服務分類、檔案格式、授權與更新時間篩選，並回傳各面向的統計。',
    description: 'Full-text search in Chinese or English, filtered by publisher, category, format, licence and modification time, with facet counts.',
    basePath: '/api/search',
    examples: [{ path: '/api/search?q=%E7%A9%BA%E6%B0%A3%E5%93%81%E8%B3%AA', label: 'GET /api/search?q=空氣品質' }],
    tag: 'search',
  },
  {
    key: 'ckan',
    nameZh: 'CKAN 相容 API',
    name: 'CKAN-compatible Action API',
    descriptionZh: 'CKAN Action API 子集（package_list、package_show、package_search、organization_list、organization_show），CKAN 的收割程式可直接讀取。',
    description:
      'A subset of the CKAN Action API (package_list, package_show, package_search, organization_list, organization_show): CKAN harvesters read the gateway as they read CKAN.',
    basePath: '/api/3/action',
    examples: [{ path: '/api/3/action/package_list', label: 'GET /api/3/action/package_list' }],
    tag: 'ckan',
  },
  {
    key: 'export',
    nameZh: '整批匯出',
    name: 'Whole-catalogue exports',
    descriptionZh: '整個目錄一次下載：data.gov.tw 匯出格式的 CSV（UTF-8）與 DCAT-AP JSON-LD，以串流輸出。',
    description: "The whole catalogue in one download: CSV in data.gov.tw's export columns (UTF-8) and DCAT-AP JSON-LD, streamed.",
    // The primary endpoint (APIs.json allows either): the export API has no root of its own.
    basePath: '/export/catalog.csv',
    examples: [
      { path: '/export/catalog.csv', label: 'GET /export/catalog.csv' },
      { path: '/export/catalog.jsonld', label: 'GET /export/catalog.jsonld' },
    ],
    tag: 'export',
  },
  {
    key: 'identity',
    nameZh: '跨來源識別',
    name: 'Cross-source identity',
    descriptionZh: '說明一個資料集由哪些來源的紀錄合併而成、以哪些識別鍵相連、各欄位取自何處，以及待人工確認的疑似重複。',
    description:
      'Why a dataset is what it is: the source records merged into it, the keys that joined them, where each field came from; and fuzzy matches kept apart for review.',
    basePath: '/api/v1/identity',
    examples: [{ path: '/api/v1/identity/candidates', label: 'GET /api/v1/identity/candidates' }],
    tag: 'identity',
  },
];
