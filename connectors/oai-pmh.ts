import type { Connector, ConnectorDefinition } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';

/** OAI-PMH connector: being written (issue 4). */
export const oaiPmhConnector: ConnectorDefinition = {
  type: 'oai-pmh',
  available: false,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(source: SourceConfig): Connector {
    throw new Error(`the oai-pmh connector is not available yet (source ${source.id})`);
  },
};
