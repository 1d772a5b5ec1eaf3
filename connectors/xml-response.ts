import type { HarvestContext } from './connector.js';
import { SourceProtocolError } from './connector.js';
import { parseXmlDocument, XmlDocumentError, type XmlElement } from '../src/mapping/xml-elements.js';
import { decodeXmlBody, XmlEncodingError } from './xml-encoding.js';

/**
 * Fetching one XML answer of an XML protocol (CSW, OAI-PMH) and reading it safely. Shared by
 * the connectors that speak XML; the protocol checks (which root element, which errors) stay
 * in each connector.
 */

/** The source answered something that is not the XML the protocol promises. `rule` names the cause. */
export class XmlSourceError extends SourceProtocolError {
  constructor(
    sourceId: string,
    readonly rule: string,
    message: string,
  ) {
    super(sourceId, `${rule}: ${message}`);
    this.name = 'XmlSourceError';
  }
}

/** GET `url` and parse the body (statuses in `acceptStatuses` are read too: protocols send errors with them). */
export async function fetchXml(
  context: HarvestContext,
  sourceId: string,
  url: string,
  acceptStatuses: readonly number[] = [],
): Promise<{ root: XmlElement; status: number }> {
  const response = await context.http.get(url, {
    signal: context.signal,
    headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
    acceptStatuses,
  });
  const contentType = headerText(response.headers['content-type']).toLowerCase();
  // A portal's error page or a JSON API: not the protocol, whatever the body parses as.
  if (/html/.test(contentType) && !/xhtml\+xml/.test(contentType)) {
    throw new XmlSourceError(sourceId, 'html-page', `${url} answered ${response.status} with Content-Type ${contentType}, not XML`);
  }
  if (/json|javascript|^image\/|^audio\/|^video\//.test(contentType)) {
    throw new XmlSourceError(sourceId, 'wrong-content-type', `${url} answered ${response.status} with Content-Type ${contentType}, not XML`);
  }
  try {
    return { root: parseXmlDocument(decodeXmlBody(response.bytes, contentType)), status: response.status };
  } catch (err) {
    if (err instanceof XmlDocumentError || err instanceof XmlEncodingError) throw new XmlSourceError(sourceId, err.rule, `${url}: ${err.message}`);
    throw err;
  }
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
