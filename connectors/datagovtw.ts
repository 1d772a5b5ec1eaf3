import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** data.gov.tw connector: being written (issue 4). */
export const dataGovTwConnector: ConnectorDefinition = {
  type: 'datagovtw',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the datagovtw connector is not available yet (source ${source.id})`);
  },
};
