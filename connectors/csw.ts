import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** CSW connector: being written (issue 4). */
export const cswConnector: ConnectorDefinition = {
  type: 'csw',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the csw connector is not available yet (source ${source.id})`);
  },
};
