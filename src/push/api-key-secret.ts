/**
 * The form of a push API key and how it is checked, apart from where keys are stored.
 *
 * A key is `ogd.<id>.<secret>`: `id` is 12 hex digits, public, the primary key of its row (so a
 * key is found with one index lookup, and `keys list` / `keys revoke ID` can name it without the
 * secret); `secret` is 32 random bytes in base64url. Only the SHA-256 of the whole key is stored.
 *
 * Why a plain SHA-256 and not a password hash (bcrypt, scrypt): those are slow on purpose, to
 * make guessing a low-entropy password from its hash expensive. A 256-bit random secret cannot be
 * guessed however fast the hash is, so slowness would buy no security, only CPU spent on every
 * push. The comparison is constant-time all the same, so a timing side channel tells nothing
 * about how much of a guessed key was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^ogd\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  /** The public part: names the key in listings and in `keys revoke`. */
  id: string;
  /** The whole key, to hand to the agency once; never stored. */
  key: string;
  /** What is stored. */
  sha256: string;
}

export function generateApiKey(): GeneratedKey {
  const id = randomBytes(6).toString('hex');
  const key = `ogd.${id}.${randomBytes(32).toString('base64url')}`;
  return { id, key, sha256: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key's id, when the text has a key's form; undefined otherwise. */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** Whether a presented key is the one whose hash is stored, in time independent of where they differ. */
export function keyMatchesHash(key: string, storedSha256: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * The key in an Authorization header. The cross-platform spec sends the raw key as the whole
 * value; `Bearer <key>` is accepted too, since HTTP clients add that scheme readily.
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim().replace(/^bearer\s+/i, '');
  return value === '' ? undefined : value;
}
