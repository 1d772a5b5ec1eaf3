import type { SourceConfig } from '../../src/config/types.js';

/**
 * A configured source of type `file` (nothing is fetched from it: tests write its records
 * themselves), with the defaults the configuration loader would give; `overrides` replace fields.
 */
export function fileSource(id: string, priority: number, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id,
    name: id,
    type: 'file',
    url: `file:///test/${id}`,
    schedule: '0 3 * * *',
    priority,
    enabled: true,
    withdrawAfterHours: 72,
    maxMissingShare: 1,
    options: {},
    ...overrides,
  };
}
