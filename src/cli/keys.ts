/**
 * `ogd-gateway keys ...`: the API keys agencies push with (docs/push.md).
 *
 *   keys issue --publisher NAME --org-code CODE [--allow CIDR]...   a new key, printed once
 *   keys list                                                       every key, without secrets
 *   keys revoke KEY_ID                                              refuse the key from now on
 *
 * A key writes only the datasets of its org code (identifiers CODE-…); with --allow, only from
 * those addresses. Several keys may be live for one publisher (to rotate: issue, switch, revoke).
 */
import type { Store } from '../store/contract/store.js';
import type { ApiKey } from '../store/api-keys.js';
import { issueApiKey, KeyRequestError } from '../push/issue-api-key.js';
import { openGateway, type CommonOptions } from './context.js';
import { writeErr, writeOut } from './output.js';

export interface KeysOptions extends CommonOptions {
  args: string[];
  json: boolean;
  publisher?: string | undefined;
  orgCode?: string | undefined;
  allow?: string[] | undefined;
}

const USAGE = `usage: ogd-gateway keys issue --publisher NAME --org-code CODE [--allow CIDR]... | list | revoke KEY_ID`;

export async function keys(options: KeysOptions): Promise<number> {
  const [action, ...args] = options.args;
  if (action === undefined) return usage('keys needs an action');
  if (!['issue', 'list', 'revoke'].includes(action)) return usage(`unknown keys action "${action}"`);
  if (action === 'issue' && (options.publisher === undefined || options.orgCode === undefined)) return usage('keys issue needs --publisher and --org-code');
  if (action === 'revoke' && (args[0] === undefined || args[0] === '')) return usage('keys revoke needs a key id (see `ogd-gateway keys list`)');
  const { store } = await openGateway(options, 'stderr');
  try {
    return await run(store, action, args, options);
  } catch (err) {
    if (err instanceof KeyRequestError) return usage(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

async function run(store: Store, action: string, args: string[], options: KeysOptions): Promise<number> {
  const print = (value: unknown, text: () => string): void => {
    writeOut(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  };
  if (action === 'issue') {
    const issued = await issueApiKey(store, { publisher: options.publisher!, orgCode: options.orgCode!, allow: options.allow ?? [] });
    print({ ...issued.record, key: issued.key }, () =>
      [
        `key ${issued.record.id} issued to ${issued.record.publisher} (${issued.record.orgCode}), ${allowText(issued.record)}`,
        `source ${issued.record.sourceId}`,
        '',
        issued.key,
        '',
        'This is the only time the key is shown: hand it to the agency now. Send it as the Authorization header.',
      ].join('\n'),
    );
    return 0;
  }
  if (action === 'list') {
    const all = await store.apiKeys.listApiKeys();
    print(all, () =>
      all.length === 0
        ? 'no keys'
        : all
            .map((key) =>
              [
                key.id,
                key.orgCode,
                key.publisher,
                key.revokedAt ? `revoked ${key.revokedAt}` : 'live',
                `created ${key.createdAt}`,
                `last used ${key.lastUsedAt ?? 'never'}`,
                allowText(key),
              ].join('\t'),
            )
            .join('\n'),
    );
    return 0;
  }
  const id = args[0]!;
  const outcome = await store.apiKeys.revokeApiKey(id);
  if (outcome === undefined) {
    writeErr(`ogd-gateway: no key ${JSON.stringify(id)} (see \`ogd-gateway keys list\`)\n`);
    return 1;
  }
  print(outcome.revoked, () =>
    outcome.already ? `key ${id} was revoked already, at ${outcome.revoked.revokedAt}` : `key ${id} revoked at ${outcome.revoked.revokedAt}`,
  );
  return 0;
}

function allowText(key: ApiKey): string {
  return key.allow.length === 0 ? 'from any address' : `from ${key.allow.join(', ')}`;
}

function usage(message: string): number {
  writeErr(`ogd-gateway: ${message}\n${USAGE}\n`);
  return 2;
}
