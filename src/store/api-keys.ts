/**
 * Push API keys as stored (migration 7, table api_keys): per key its public id, the SHA-256 of
 * the key (src/push/api-key-secret.ts says why that hash), the publisher and org code it may
 * write for, its push source, the CIDR ranges it is accepted from (none: any address), and when
 * it was created, revoked and last used. The secret itself is never stored.
 */
import type { Db } from './database.js';
import { ensurePushSource } from './push-sources.js';
import { nowUtc } from './time.js';

export interface ApiKey {
  id: string;
  publisher: string;
  orgCode: string;
  sourceId: string;
  /** CIDR ranges the key is accepted from; empty: any address. */
  allow: string[];
  createdAt: string;
  revokedAt: string | null;
  /** The last write the key made (accepted calls only: a refused call changes nothing stored). */
  lastUsedAt: string | null;
}

export interface StoredApiKey extends ApiKey {
  sha256: string;
}

export interface NewApiKey {
  id: string;
  sha256: string;
  publisher: string;
  orgCode: string;
  allow: readonly string[];
}

type Row = {
  id: string;
  key_sha256: string;
  publisher: string;
  org_code: string;
  source_id: string;
  allow: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
};

const COLUMNS = 'id, key_sha256, publisher, org_code, source_id, allow, created_at, revoked_at, last_used_at';

/** Store a new key, creating the publisher's push source if it is the first. */
export function insertApiKey(db: Db, key: NewApiKey): ApiKey {
  return db
    .transaction((): ApiKey => {
      const sourceId = ensurePushSource(db, key.orgCode, key.publisher);
      db.prepare('INSERT INTO api_keys (id, key_sha256, publisher, org_code, source_id, allow, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        key.id,
        key.sha256,
        key.publisher,
        key.orgCode,
        sourceId,
        JSON.stringify(key.allow),
        nowUtc(),
      );
      return withoutHash(findApiKey(db, key.id)!);
    })
    .immediate();
}

export function findApiKey(db: Db, id: string): StoredApiKey | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id) as Row | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** Every key, oldest first. */
export function listApiKeys(db: Db): ApiKey[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`).all() as Row[]).map((row) => withoutHash(fromRow(row)));
}

export type RevokeOutcome = { revoked: ApiKey; already: boolean } | undefined;

/** Revoke a key from now on (its row stays, for the record). Undefined when there is no such key. */
export function revokeApiKey(db: Db, id: string): RevokeOutcome {
  return db
    .transaction((): RevokeOutcome => {
      const already = (db.prepare('SELECT revoked_at FROM api_keys WHERE id = ?').get(id) as { revoked_at: string | null } | undefined)?.revoked_at;
      if (already === undefined) return undefined;
      if (already === null) db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(nowUtc(), id);
      return { revoked: withoutHash(findApiKey(db, id)!), already: already !== null };
    })
    .immediate();
}

/** Record an accepted write (inside the write's own transaction). */
export function touchApiKey(db: Db, id: string, at: string): void {
  db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
}

function fromRow(row: Row): StoredApiKey {
  return {
    id: row.id,
    sha256: row.key_sha256,
    publisher: row.publisher,
    orgCode: row.org_code,
    sourceId: row.source_id,
    allow: JSON.parse(row.allow) as string[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

function withoutHash(key: StoredApiKey): ApiKey {
  const { sha256: _sha256, ...rest } = key;
  return rest;
}
