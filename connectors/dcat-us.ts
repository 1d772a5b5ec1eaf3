import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** DCAT-US connector: being written (issue 4). */
export const dcatUsConnector: ConnectorDefinition = {
  type: 'dcat-us',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the dcat-us connector is not available yet (source ${source.id})`);
  },
};
