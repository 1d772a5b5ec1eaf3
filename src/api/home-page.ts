import { API_DIRECTORY } from './api-directory.js';

/**
 * The gateway's home page: what it is, in Traditional Chinese and English, and a link to every
 * API. One small self-contained document: no script, no external stylesheet, font or image, so
 * it renders the same offline, behind a strict Content-Security-Policy, and on a slow phone.
 */
export interface HomePageFacts {
  /** Path prefix of the gateway's public URL ('' at the host's root, '/ogd' behind a prefix). */
  sitePath: string;
  publicUrl: string;
  version: string;
  datasets: number;
  /** UTC instant of the catalogue's last change, if any. */
  lastChange: string | undefined;
}

export function renderHomePage(facts: HomePageFacts): string {
  const at = (path: string): string => escapeHtml(`${facts.sitePath}${path}`);
  const apis = API_DIRECTORY.map(
    (api) => `<section id="${escapeHtml(api.key)}">
<h2>${escapeHtml(api.nameZh)} <span lang="en">${escapeHtml(api.name)}</span></h2>
<p>${escapeHtml(api.descriptionZh)}</p>
<p lang="en">${escapeHtml(api.description)}</p>
<p><code>${escapeHtml(api.basePath)}</code>${api.examples.map((e) => ` · <a href="${at(e.path)}">${escapeHtml(e.label)}</a>`).join('')}</p>
</section>`,
  ).join('\n');
  const lastChange = facts.lastChange ? `，最近更新 <time datetime="${escapeHtml(facts.lastChange)}">${escapeHtml(facts.lastChange)}</time>` : '';
  const lastChangeEn = facts.lastChange ? `, last changed <time datetime="${escapeHtml(facts.lastChange)}">${escapeHtml(facts.lastChange)}</time>` : '';
  return `<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ogd-gateway 政府開放資料聯合目錄 · Federated open-data catalogue</title>
<link rel="api" type="application/apis+json" href="${at('/apis.json')}">
<link rel="service-desc" type="application/vnd.oai.openapi+json" href="${at('/openapi.json')}">
<style>
body{font-family:system-ui,"Noto Sans TC","PingFang TC","Microsoft JhengHei",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1a1a1a}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.8rem}h2 span{font-weight:normal;color:#555}
code{background:#f2f2f2;padding:0 .25rem}a{color:#0b5cad}footer{margin-top:2.5rem;font-size:.9rem;color:#555}
</style>
</head>
<body>
<header>
<h1>ogd-gateway 政府開放資料聯合目錄 <span lang="en">Federated open-data catalogue</span></h1>
<p>彙整各機關與城市開放資料平臺的資料集詮釋資料，對應至資料集詮釋資料標準規範，合併同一資料集的多個來源，提供一個可供機器介接的聯合目錄。目前收錄 <strong>${facts.datasets}</strong> 筆資料集${lastChange}。</p>
<p lang="en">Harvests dataset metadata from Taiwan's agency and city open-data platforms, maps it to the national metadata standard, merges the copies of one dataset published by several platforms, and serves one machine-readable catalogue. It holds <strong>${facts.datasets}</strong> datasets${lastChangeEn}.</p>
<form action="${at('/api/search')}" method="get"><label>檢索 <span lang="en">Search</span> <input type="search" name="q" placeholder="空氣品質"></label> <button type="submit">搜尋 <span lang="en">Go</span></button></form>
</header>
<main>
${apis}
</main>
<footer>
<p>API 說明 <span lang="en">API description</span>: <a href="${at('/openapi.json')}">OpenAPI 3.1</a> · <a href="${at('/apis.json')}">APIs.json</a> · <a href="${at('/healthz')}">/healthz</a></p>
<p>所有 API 皆為唯讀、開放任何來源（CORS），支援條件式請求（ETag、Last-Modified）與壓縮（br、gzip）。<span lang="en">Every API is read-only and open to any origin (CORS), answers conditional requests (ETag, Last-Modified) and compresses (br, gzip).</span></p>
<p>ogd-gateway ${escapeHtml(facts.version)} · <a href="${escapeHtml(facts.publicUrl)}/">${escapeHtml(facts.publicUrl)}</a></p>
</footer>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
