import type { ApiKey, NewApiKey, RevokeOutcome, StoredApiKey } from '../api-keys.js';

/** Push API keys (only their hashes are stored). */
export interface ApiKeyStore {
  insertApiKey(key: NewApiKey): Promise<ApiKey>;
  findApiKey(id: string): Promise<StoredApiKey | undefined>;
  listApiKeys(): Promise<ApiKey[]>;
  revokeApiKey(id: string): Promise<RevokeOutcome>;
  touchApiKey(id: string, at: string): Promise<void>;
}
