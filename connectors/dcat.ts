import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** DCAT connector: being written (issue 4). */
export const dcatConnector: ConnectorDefinition = {
  type: 'dcat',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the dcat connector is not available yet (source ${source.id})`);
  },
};
