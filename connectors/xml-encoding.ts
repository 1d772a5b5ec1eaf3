/**
 * The text of an XML answer, decoded as the document says it is encoded (XML 1.0 appendix F,
 * RFC 7303): a byte-order mark, else the Content-Type charset, else the XML declaration's
 * encoding, else UTF-8. Bytes that are not valid in that encoding make the document not
 * well-formed (XML 1.0 §4.3.3: a fatal error), so they are refused, naming the offset, rather
 * than read as U+FFFD into records that would then be served as if the source had sent them.
 */

import { TextDecoder } from 'node:util';

export class XmlEncodingError extends Error {
  constructor(
    /** unsupported-encoding | invalid-encoding */
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'XmlEncodingError';
  }
}

export function decodeXmlBody(bytes: Uint8Array, contentType: string): string {
  const { label, from } = declaredEncoding(bytes, contentType);
  let decoder: TextDecoder;
  try {
    // ignoreBOM: a BOM is part of what tells the encoding, not of the text.
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  } catch {
    throw new XmlEncodingError('unsupported-encoding', `the document is encoded in "${label}" (${from}), which cannot be decoded`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const at = decoder.encoding === 'utf-8' ? firstInvalidUtf8(bytes) : undefined;
    const where = at === undefined ? '' : ` at byte ${at} (0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')})`;
    throw new XmlEncodingError(
      'invalid-encoding',
      `bytes${where} are not valid ${decoder.encoding === 'utf-8' ? 'UTF-8' : decoder.encoding} (the document's encoding, ${from}): not well-formed XML; the publisher must fix the encoding or declare the one it uses`,
    );
  }
}

function declaredEncoding(bytes: Uint8Array, contentType: string): { label: string; from: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { label: 'utf-8', from: 'by its byte-order mark' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { label: 'utf-16le', from: 'by its byte-order mark' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: 'utf-16be', from: 'by its byte-order mark' };
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  if (charset !== undefined) return { label: charset.toLowerCase(), from: 'by its Content-Type' };
  // The declaration is ASCII in every encoding it can name (UTF-16 has a BOM, handled above).
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  if (declared !== undefined) return { label: declared.toLowerCase(), from: 'by its XML declaration' };
  return { label: 'utf-8', from: 'by default' };
}

/** Offset of the first byte that does not begin or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong 3- and 4-byte forms, surrogates, and code points past U+10FFFF.
    const second = bytes[i + 1]!;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return undefined;
}
