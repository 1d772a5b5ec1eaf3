/**
 * Who is pushing: the key in the Authorization header, checked against its stored hash, not
 * revoked, used from an address its allowlist has. 401 (ER0001) for a missing, malformed, unknown,
 * wrong or revoked key; 403 (ER000101) for a good key from an address it is not registered for.
 * Whether the key may write the dataset at hand (its publisher's) is decided with the record.
 */
import type { Store } from '../store/contract/store.js';
import type { ApiKey } from '../store/api-keys.js';
import { addressAllowlist } from './address-allowlist.js';
import { apiKeyId, keyFromAuthorization, keyMatchesHash } from './api-key-secret.js';
import { PUSH_ERROR_CODES, PushError } from './push-errors.js';

/** Allowlists compiled once per key id and list (a list changes only by issuing a new key). */
const allowlists = new Map<string, { text: string; allows: (address: string) => boolean }>();

export async function authenticate(store: Store, authorization: string | undefined, clientAddress: string): Promise<ApiKey> {
  const presented = keyFromAuthorization(authorization);
  if (presented === undefined) {
    throw new PushError(401, PUSH_ERROR_CODES.apiKey, 'send the API key issued to your agency in the Authorization header');
  }
  const id = apiKeyId(presented);
  const stored = id === undefined ? undefined : await store.apiKeys.findApiKey(id);
  if (stored === undefined || !keyMatchesHash(presented, stored.sha256)) {
    throw new PushError(401, PUSH_ERROR_CODES.apiKey, 'the API key is not valid: send the whole key as it was issued (ogd.…)');
  }
  if (stored.revokedAt !== null) {
    throw new PushError(401, PUSH_ERROR_CODES.apiKey, `the API key ${stored.id} was revoked at ${stored.revokedAt}: ask the gateway's operator for a new one`);
  }
  if (!allowlistOf(stored).allows(clientAddress)) {
    throw new PushError(
      403,
      PUSH_ERROR_CODES.addressNotAllowed,
      `the API key ${stored.id} is accepted only from its registered addresses (${stored.allow.join(', ')}); this request came from ${clientAddress}`,
    );
  }
  const { sha256: _sha256, ...key } = stored;
  return key;
}

function allowlistOf(key: ApiKey): { allows: (address: string) => boolean } {
  const text = JSON.stringify(key.allow);
  const cached = allowlists.get(key.id);
  if (cached?.text === text) return cached;
  const compiled = { text, allows: addressAllowlist(key.allow) };
  allowlists.set(key.id, compiled);
  return compiled;
}
