/**
 * The project's layers, checked by dependency-cruiser before every `npm test`
 * (`npm run lint:layers`; docs/architecture.md, "Layers").
 *
 * LAYERS is the one place the layers are written, lowest first. A module may import modules of
 * its own layer and of any layer below it, never of a layer above: the rules are generated from
 * this list, one per layer, each named after its layer. No two modules may import each other,
 * directly or around a loop. Only src/ and connectors/ are checked: tests may import anything.
 */

/** Lowest first. `paths`: regular expressions over paths from the project root. */
const LAYERS = [
  { name: 'model', holds: 'the national record, pure helpers and types', paths: ['^src/model/', '^src/log\\.ts$', '^src/worker-thread\\.ts$'] },
  { name: 'config', holds: 'the configuration file: schema, loading, types', paths: ['^src/config/'] },
  { name: 'http', holds: 'the HTTP client every outgoing request goes through', paths: ['^src/http/'] },
  { name: 'mapping', holds: 'foreign vocabularies read into the national record', paths: ['^src/mapping/'] },
  { name: 'views', holds: 'the national record written out in served shapes (never reads the store)', paths: ['^src/views/'] },
  { name: 'connectors', holds: 'one protocol per source type: paging, parsing', paths: ['^connectors/'] },
  { name: 'store', holds: 'every SQL statement', paths: ['^src/store/'] },
  { name: 'identity', holds: 'source records into datasets: clusters, ids, merge', paths: ['^src/identity/'] },
  { name: 'harvest', holds: 'runs, the record door, the scheduler, the harvest thread', paths: ['^src/harvest/'] },
  { name: 'push-and-mirror', holds: "the other two ways in: agency push, another gateway's feed", paths: ['^src/push/', '^src/mirror/'] },
  { name: 'api', holds: 'the HTTP server (fastify) and its routes', paths: ['^src/api/'] },
  { name: 'cli', holds: 'the verbs that start everything', paths: ['^src/cli/', '^src/cli\\.ts$'] },
];

const EVERY_LAYER = LAYERS.flatMap((layer) => layer.paths);

/** One rule per layer but the top one: none of its modules imports a module of a higher layer. */
const noImportUpRules = LAYERS.slice(0, -1).map((layer, index) => {
  const below = LAYERS.slice(0, index).map((lower) => lower.name);
  const above = LAYERS.slice(index + 1);
  return {
    name: `${layer.name}-imports-no-higher-layer`,
    comment:
      `Layer ${index + 1}, ${layer.name} (${layer.holds}), imports only itself` +
      `${below.length > 0 ? ` and ${below.join(', ')}` : ''}, never ${above.map((upper) => upper.name).join(', ')}. ` +
      'Move what both sides need down to the lower one.',
    severity: 'error',
    from: { path: layer.paths },
    to: { path: above.flatMap((upper) => upper.paths) },
  };
});

/**
 * A module in no layer would escape every rule above, whichever way it is reached: it imports
 * something, something imports it, or it stands alone.
 */
const OUTSIDE_EVERY_LAYER = 'is in no layer: add its folder to LAYERS in .dependency-cruiser.cjs (and to docs/architecture.md, "Layers")';
const everyModuleInALayerRules = [
  {
    name: 'importer-outside-every-layer',
    comment: `The importing module ${OUTSIDE_EVERY_LAYER}.`,
    from: { path: '^(src|connectors)/', pathNot: EVERY_LAYER },
    to: {},
  },
  {
    name: 'imported-module-outside-every-layer',
    comment: `The imported module ${OUTSIDE_EVERY_LAYER}.`,
    from: {},
    to: { path: '^(src|connectors)/', pathNot: EVERY_LAYER },
  },
  {
    name: 'lone-module-outside-every-layer',
    comment: `The module ${OUTSIDE_EVERY_LAYER}.`,
    from: { orphan: true, path: '^(src|connectors)/', pathNot: EVERY_LAYER },
    to: {},
  },
].map((rule) => ({ severity: 'error', ...rule }));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...noImportUpRules,
    ...everyModuleInALayerRules,
    {
      name: 'no-circular',
      comment:
        'Modules import each other, directly or around a loop (type-only imports count: they tie ' +
        'the two modules as firmly). Move the piece both need into a module of its own.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'Off: entry points (cli.ts, the worker scripts) are imported by no module.',
      severity: 'ignore',
      from: { orphan: true },
      to: {},
    },
  ],
  options: {
    // The product's own code only: tests may import any layer, and node_modules is not ours.
    includeOnly: '^(src|connectors)/',
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a type pointing up the layers ties them as an import does.
    tsPreCompilationDeps: true,
    // The code imports `./x.js` for `./x.ts` (NodeNext); the product's tsconfig tells the resolver.
    tsConfig: { fileName: 'tsconfig.build.json' },
  },
};
