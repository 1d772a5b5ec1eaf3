// ESLint flat config: @eslint/js recommended and typescript-eslint's type-aware recommended rules
// over the TypeScript the project writes. It enables no formatting rule: Prettier formats
// (.prettierrc.json), and typescript-eslint's recommended sets contain none.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', '.tap/', '.scratch/', 'test/fixtures/'] },
  {
    files: ['src/**/*.ts', 'connectors/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // The same programs as `tsc -b` (tsconfig.json); no separate project list to keep in step.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Kept for what they catch as the store becomes async: a promise nobody awaits, or one passed where
      // a callback's result is ignored. tap queues subtests itself, so t.test() needs no await.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Async functions without await are deliberate: they implement Promise-returning contracts and tap subtests.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a binding left unused on purpose (dropping a property with a rest pattern, a contract's parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Error messages quote values of untrusted JSON (typed unknown) as they are, on purpose.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // n3's DataFactory functions are destructured throughout and closure-based objects never use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Abort reasons and caught values are rethrown as they came (AbortSignal.reason is unknown by design).
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Its 85 findings are harmless, and its fixes are not safe here: `eslint --fix` removed assertions tsc still needs.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Regexes that match control characters on purpose (IRI checks, terminal escapes in tests).
      'no-control-regex': 'off',
      // `let` kept for a binding a closure reads before its one assignment, and for destructuring with one reassigned part.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Assertions read JSON.parse results (any) directly; a wrong field fails the test anyway.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
