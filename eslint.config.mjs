// Root lint (`npm run lint`): typescript-eslint's recommended rules over every package, the tests, bench/ and
// test/. The recommended (not the type-aware strict) set keeps the run fast and free of a type build.
// packages/n8n is also linted by n8n's own linter (packages/n8n/eslint.config.mjs through `n8n-node lint`,
// run by `npm run lint` after this), which applies the rules n8n's community-package review checks.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/coverage/',
      '.tools/',
      // Generated Make app (written by the generator; linted where it is generated).
      'packages/make/app/',
      // n8n's config imports @n8n/node-cli, which lives under .tools/ and is run by packages/n8n's lint script.
      'packages/n8n/eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.node },
    },
    rules: {
      // A `let` read by a closure before its one assignment (a clock callback that needs the sandbox) stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Lines under 140 characters; a long string, template or URL is easier to grep whole than split.
      'max-len': [
        'error',
        { code: 140, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
      // `_name` marks an argument kept for a signature (a transport, a handler) and never read.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // CommonJS files: scripts, jest configs, the Zapier entry point and the Make functions.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'test/**/*.{ts,js}', '**/*.test.js'],
    languageOptions: { globals: { ...globals.jest } },
    // Tests read raw JSON replies (sandbox, HTTP, platform harnesses) and assert their shape with expect.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Make's IML functions: each file is a script that declares one global function, and each function test
    // calls it by name with Make's `it` and `assert` (run by Make and by packages/make/test/functions.test.ts).
    files: ['packages/make/**/functions/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { it: 'readonly', assert: 'readonly' } },
    rules: { 'no-undef': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
);
