import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Connector, ConnectorDefinition, HarvestContext, RecordPage, SourceFailure, RawRecord } from './connector.js';
import { SourceProtocolError } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/**
 * A catalogue dump on disk: a JSON array of national-standard records (gen-1 or gen-2), or
 * the cross-platform spec's envelope {"success":true,"result":[...]}. Serves the bundled
 * samples (a fresh machine shows a catalogue with no network) and agencies that hand over
 * a file instead of running an API. `url` is a path, relative to the working directory.
 */
interface FileOptions {
  /** Records per page (one store transaction each). */
  pageSize: number;
  /** Refuse larger files: the whole file is parsed in memory. */
  maxBytes: number;
}

const DEFAULTS: FileOptions = { pageSize: 500, maxBytes: 200 * 1024 * 1024 };

export const fileConnector: ConnectorDefinition = {
  type: 'file',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      maxBytes: { type: 'integer', minimum: 1 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<FileOptions>) };
    return new FileConnector(source.id, resolve(source.url.replace(/^file:(\/\/)?/, '')), options);
  },
};

class FileConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly incremental = false;
  readonly listsEverything = true;

  constructor(
    private readonly sourceId: string,
    private readonly path: string,
    private readonly options: FileOptions,
  ) {}

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    const items = await this.readItems();
    for (let start = 0; start < items.length; start += this.options.pageSize) {
      if (context.signal.aborted) return;
      const records: RawRecord[] = [];
      const failures: SourceFailure[] = [];
      items.slice(start, start + this.options.pageSize).forEach((item, i) => {
        const nativeId = nativeIdOf(item);
        if (nativeId) records.push({ nativeId, payload: item });
        else
          failures.push({
            nativeId: `#${start + i}`,
            stage: 'parse',
            rule: 'no-identifier',
            field: 'identifier',
            message: `entry ${start + i} of ${this.path} has no identifier or datasetId`,
          });
      });
      yield { records, unchanged: [], failures };
    }
  }

  private async readItems(): Promise<unknown[]> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (err) {
      throw new SourceProtocolError(this.sourceId, `cannot read ${this.path}: ${(err as Error).message}`);
    }
    if (size > this.options.maxBytes) {
      throw new SourceProtocolError(this.sourceId, `${this.path} is ${size} bytes, over the cap of ${this.options.maxBytes}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (err) {
      throw new SourceProtocolError(this.sourceId, `${this.path} is not valid JSON: ${(err as Error).message}`);
    }
    const items: unknown = Array.isArray(json) ? json : (json as { result?: unknown } | null)?.result;
    if (!Array.isArray(items)) {
      throw new SourceProtocolError(this.sourceId, `${this.path} is neither a JSON array of records nor {"result":[...]}`);
    }
    return items as unknown[];
  }
}

function nativeIdOf(item: unknown): string | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const record = item as Record<string, unknown>;
  for (const key of ['identifier', 'datasetId', 'datasetid']) {
    const value = record[key];
    if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') return String(value).trim();
  }
  return undefined;
}
