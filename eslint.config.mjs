// Lint for the whole TypeScript tree: typescript-eslint's type-checked rules plus a small
// stylistic set the tree already follows. No formatter rewrites the tree (see CONTRIBUTING.md).
// Every rule switched off below says why; an inline disable must carry a reason after `--`.
import eslint from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      // No indent rule: continuation lines (wrapped ternaries, object literals in ternaries) follow no
      // single scheme, and its fixer mangled a block comment; .editorconfig keeps 2 spaces.
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-tabs': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 2 }],
      // `_name` marks a deliberately unused binding (omitting a key from a rest spread, a callback slot).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Node-RED node constructors keep `this` as `node` for the callbacks: Node-RED's documented pattern.
      '@typescript-eslint/no-this-alias': 'off',
      // Terse guarded updates (`if (x) (a = 1), (b = true)`, `cond && f()`) are used on purpose in hot code.
      '@typescript-eslint/no-unused-expressions': 'off',
      // NetFlow/IPFIX field ids arrive as plain numbers from the wire and are compared with numeric enums.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Error texts render unknown input with String(); objects are rejected by zod before that point.
      '@typescript-eslint/no-base-to-string': 'off',
      // `readonly unknown[] | unknown` documents the accepted shapes of an input.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Functions that implement an async interface (bench `run()`, resolvers) may have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Abort paths reject with `signal.reason`, which is whatever the caller aborted with.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Clock.now and similar are passed as plain function values and never use `this`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // should.js, node-red-node-test-helper and Playwright's page.evaluate are typed with `any`:
      // assertions such as `x.should.eql(...)` and `helper.getNode(id).receive(...)` are the norm.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Node modules are `export =` functions loaded after the test has pinned env and clock.
      '@typescript-eslint/no-require-imports': 'off',
      // @types/node-red-node-test-helper declares startServer/stopServer/unload as void; they return promises.
      '@typescript-eslint/await-thenable': 'off',
      // should.js promise assertions (`p.should.be.rejectedWith(...)`) are returned or awaited by mocha.
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
