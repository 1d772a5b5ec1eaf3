/**
 * The layer check (.dependency-cruiser.cjs, run by `npm run lint:layers` before every `npm test`)
 * passes on the real tree and fails where it should: each failing case is a small tree laid out
 * like the project in a temp dir, cruised with the project's own configuration.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { cruise, format, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { projectPath } from '../../src/model/project-root.js';

const CONFIG_FILE = projectPath('.dependency-cruiser.cjs');

interface Cruised {
  result: ICruiseResult;
  violations: IViolation[];
  /** What `depcruise --output-type err` (the script's reporter) prints, and its exit code. */
  report: string;
  exitCode: number;
}

/** Cruise `src` and `connectors` under `root` as `npm run lint:layers` does at the project root. */
async function cruiseTree(root: string): Promise<Cruised> {
  const options = await extractDepcruiseOptions(CONFIG_FILE);
  // The configuration names its tsconfig relative to where depcruise runs: here, `root`.
  const tsConfigFile = join(root, options.tsConfig?.fileName ?? 'tsconfig.json');
  const { output } = await cruise(
    ['src', 'connectors'],
    { ...options, baseDir: root, tsConfig: { fileName: tsConfigFile } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  if (typeof output === 'string') throw new Error('dependency-cruiser answered text; expected its result object');
  // The exit code comes with the reporter, as on the command line: the err reporter's is the number of errors.
  const { output: report, exitCode } = await format(output, { outputType: 'err' });
  return { result: output, violations: output.summary.violations, report: typeof report === 'string' ? report : '', exitCode };
}

/** A temp tree laid out like the project: its tsconfigs and the given files (path → source). */
function projectLikeTree(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ogd-layers-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const tsconfig of ['tsconfig.json', 'tsconfig.build.json']) copyFileSync(projectPath(tsconfig), join(root, tsconfig));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'connectors'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

const brief = (violations: IViolation[]): string[] => violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);

t.test('the project as it stands keeps its layers and has no cycle', async (t) => {
  const { result, exitCode, violations } = await cruiseTree(projectPath());
  t.same(brief(violations), [], 'no violation');
  t.equal(exitCode, 0);
  // A check that resolves nothing finds nothing: every import of the product must have been followed.
  const dependencies = result.modules.flatMap((module) => module.dependencies);
  t.ok(result.summary.totalCruised > 200, `cruised src/ and connectors/ (${result.summary.totalCruised} modules)`);
  t.same(
    dependencies.filter((d) => d.couldNotResolve).map((d) => d.module),
    [],
    'every import resolved',
  );
  t.ok(
    dependencies.some((d) => d.resolved === 'src/model/record.ts'),
    '`.js` imports resolved to their `.ts` files',
  );
});

t.test('an import of a higher layer fails, naming the rule and both files', async (t) => {
  const root = projectLikeTree(t, {
    'src/store/x.ts': "import { y } from '../api/y.js';\nexport const x = y;\n",
    'src/api/y.ts': 'export const y = 1;\n',
  });
  const { exitCode, violations, report } = await cruiseTree(root);
  t.not(exitCode, 0, 'exits non-zero');
  t.same(brief(violations), ['store-imports-no-higher-layer: src/store/x.ts → src/api/y.ts']);
  t.match(report, 'store-imports-no-higher-layer: src/store/x.ts → src/api/y.ts', 'the report names the rule and both files');
});

t.test('a type-only import of a higher layer fails too', async (t) => {
  const root = projectLikeTree(t, {
    'connectors/c.ts': "import type { Run } from '../src/harvest/run.js';\nexport const runs: Run[] = [];\n",
    'src/harvest/run.ts': 'export interface Run { id: number }\n',
  });
  const { exitCode, violations } = await cruiseTree(root);
  t.not(exitCode, 0);
  t.same(brief(violations), ['connectors-imports-no-higher-layer: connectors/c.ts → src/harvest/run.ts']);
});

t.test('imports within a layer and down the layers pass', async (t) => {
  const root = projectLikeTree(t, {
    'src/api/route.ts': "import { view } from '../views/view.js';\nimport { push } from '../push/push.js';\nexport const route = [view, push];\n",
    'src/push/push.ts': "import { follow } from '../mirror/follow.js';\nexport const push = follow;\n",
    'src/mirror/follow.ts': 'export const follow = 1;\n',
    'src/views/view.ts': "import { record } from '../model/record.js';\nexport const view = record;\n",
    'src/model/record.ts': 'export const record = 1;\n',
  });
  const { exitCode, violations } = await cruiseTree(root);
  t.same(brief(violations), []);
  t.equal(exitCode, 0);
});

t.test('a cycle fails, type-only imports included', async (t) => {
  const root = projectLikeTree(t, {
    'src/harvest/a.ts': "import { b } from './b.js';\nexport interface A { n: number }\nexport const a = b;\n",
    'src/harvest/b.ts': "import type { A } from './a.js';\nexport const b: A = { n: 1 };\n",
  });
  const { exitCode, violations, report } = await cruiseTree(root);
  t.not(exitCode, 0, 'exits non-zero');
  t.same(
    violations.map((v) => v.rule.name),
    ['no-circular'],
    'the cycle is reported once',
  );
  t.same(
    [violations[0]?.from, ...(violations[0]?.cycle ?? []).map((step) => step.name)].sort(),
    ['src/harvest/a.ts', 'src/harvest/a.ts', 'src/harvest/b.ts'],
    'round the loop a → b → a',
  );
  t.match(report, /no-circular: src\/harvest\/\w\.ts → \s*src\/harvest\/\w\.ts/, 'the report names the rule and the files of the cycle');
});

t.test('a module in no layer fails, however it is reached', async (t) => {
  const root = projectLikeTree(t, {
    'src/model/m.ts': "import { e } from '../extras/e.js';\nexport const m = e;\n",
    'src/extras/e.ts': 'export const e = 1;\n',
    'src/loose.ts': 'export const loose = 1;\n',
  });
  const { exitCode, violations } = await cruiseTree(root);
  t.not(exitCode, 0);
  t.same(brief(violations).sort(), [
    'imported-module-outside-every-layer: src/model/m.ts → src/extras/e.ts',
    'lone-module-outside-every-layer: src/loose.ts → src/loose.ts',
  ]);
});

t.test('npm test runs the check after the build', async (t) => {
  const { scripts } = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(scripts['pretest'], /^tsc -b && npm run lint:layers( && |$)/, 'pretest builds, then checks the layers');
  // The same configuration and reporter as cruiseTree: the command exits with the err reporter's
  // exit code, which the failing cases above show non-zero.
  t.equal(scripts['lint:layers'], 'depcruise src connectors --config .dependency-cruiser.cjs --output-type err');
});
