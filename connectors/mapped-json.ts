import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** mapped-JSON connector: being written (issue 4). */
export const mappedJsonConnector: ConnectorDefinition = {
  type: 'mapped-json',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the mapped-json connector is not available yet (source ${source.id})`);
  },
};
