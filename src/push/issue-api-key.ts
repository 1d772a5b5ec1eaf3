/**
 * Issuing a push API key (the operator's side of the spec's 機關服務申請: the agency applies, the
 * operator registers its source addresses and issues a key): checks what the operator typed,
 * generates the key, stores its hash, and creates the publisher's push source with the first key.
 */
import type { Store } from '../store/contract/store.js';
import type { ApiKey } from '../store/api-keys.js';
import { AllowlistError, normaliseCidr } from './address-allowlist.js';
import { generateApiKey } from './api-key-secret.js';

/** 機關代碼: the 10 letters and digits an agency identifier starts with (A41000000G). */
const ORG_CODE = /^[A-Za-z0-9]{10}$/;

export class KeyRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRequestError';
  }
}

export interface KeyRequest {
  publisher: string;
  orgCode: string;
  /** CIDR ranges (or bare addresses) the key is accepted from; none: any address. */
  allow: readonly string[];
}

export interface IssuedKey {
  /** The whole key: shown to the operator once, never stored. */
  key: string;
  record: ApiKey;
}

export async function issueApiKey(store: Store, request: KeyRequest): Promise<IssuedKey> {
  const publisher = request.publisher.trim();
  if (publisher === '') throw new KeyRequestError('the publisher name must not be empty (the agency’s full name, e.g. 國家發展委員會)');
  const orgCode = request.orgCode.trim().toUpperCase();
  if (!ORG_CODE.test(orgCode)) {
    throw new KeyRequestError(`an org code is the 10 letters and digits its identifiers start with (e.g. A41000000G), got ${JSON.stringify(request.orgCode)}`);
  }
  let allow: string[];
  try {
    allow = [...new Set(request.allow.map(normaliseCidr))];
  } catch (err) {
    if (err instanceof AllowlistError) throw new KeyRequestError(err.message);
    throw err;
  }
  const generated = generateApiKey();
  const record = await store.apiKeys.insertApiKey({ id: generated.id, sha256: generated.sha256, publisher, orgCode, allow });
  return { key: generated.key, record };
}
