import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { CONNECTORS, validateSources } from '../../connectors/index.js';
import { projectPath } from '../../src/model/project-root.js';

/** config/taiwan.json: the real public Taiwan sources. It names only connectors that exist. */
const config = loadConfig({ file: projectPath('config', 'taiwan.json'), env: {} });
const needed = [...new Set(config.sources.map((source) => source.type))];
const missing = needed.filter((type) => CONNECTORS.get(type)?.available === false);

t.test('config/taiwan.json validates', { skip: missing.length > 0 ? `connector(s) not available yet: ${missing.join(', ')}` : false }, async (t) => {
  validateSources(config);
  t.same(
    config.sources.map((s) => s.id),
    ['datagovtw', 'taipei', 'ntpc', 'tycg', 'taichung'],
  );
  t.ok(
    config.sources.every((s) => s.url.startsWith('https://')),
    'real public platforms, over https',
  );
  t.equal(new Set(config.sources.map((s) => s.schedule)).size, config.sources.length, 'schedules are staggered');
  for (const source of config.sources.filter((s) => s.type === 'mapped-json')) {
    t.ok(source.priority > config.sources.find((s) => s.id === 'datagovtw')!.priority, `${source.id}: the city's original ranks above data.gov.tw's copy`);
  }
});
