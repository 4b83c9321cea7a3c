// ESLint (flat config) with typescript-eslint. Besides the recommended rules: promises must be
// awaited or handled, and imports keep the layers apart (only the client talks to VS Code; the
// language service is pure: no editor, LSP connection, file system or Node-only server code).
import tseslint from 'typescript-eslint';

const NOT_VSCODE = { name: 'vscode', message: 'Only client/ talks to VS Code.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench/**', 'test-results/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe() and test() return promises that the runner itself waits for.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'error',
    },
  },
  {
    files: ['server/**/*.ts', 'bench/**/*.ts', 'test/unit/**/*.ts', 'test/protocol/**/*.ts', 'test/remoteCharts/**/*.ts', 'test/cluster/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NOT_VSCODE] }] },
  },
  {
    files: ['server/src/service/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NOT_VSCODE, { name: 'fs', message: 'The language service reads no files: pass what it needs in.' }, { name: 'fs/promises', message: 'The language service reads no files.' }],
          patterns: [
            { group: ['vscode-languageserver', 'vscode-languageserver/*'], message: 'The language service does not know the LSP connection; use vscode-languageserver-types for types.' },
            { group: ['node:fs', 'node:fs/*'], message: 'The language service reads no files.' },
            { group: ['**/node/*', '../node', '../../node'], message: 'The language service does not import Node-only server code (server/src/node).' },
          ],
        },
      ],
    },
  },
);
