import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** CKAN connector: being written (issue 4). */
export const ckanConnector: ConnectorDefinition = {
  type: 'ckan',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the ckan connector is not available yet (source ${source.id})`);
  },
};
