import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const VSCODE = {
  name: 'vscode',
  message:
    'Only the adapters (src/commands, src/providers, src/views, src/workbench, src/settings.ts) use the VS Code API.',
};

/**
 * Imports run one way: commands → providers / views → workbench, settings → viewModel, core. A layer may not import a
 * layer above it or beside it (views and providers do not know each other); only commands and the composition root
 * see `services.ts`, and nothing imports `extension.ts`.
 */
function layer(files, above, { vscode = true } = {}) {
  const folders = above.filter((name) => !name.endsWith('.ts'));
  const modules = above.filter((name) => name.endsWith('.ts')).map((name) => name.slice(0, -3));
  const patterns = [];
  if (folders.length)
    patterns.push({
      regex: `(^|/)(${folders.join('|')})/`,
      message: `${files.join(', ')} must not import ${folders.join(', ')}: imports run commands → providers/views → workbench → core.`,
    });
  if (modules.length)
    patterns.push({
      regex: `(^|/)(${modules.join('|')})$`,
      message: `${files.join(', ')} must not import ${modules.join(', ')}: only the composition root and commands see the services.`,
    });
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: vscode ? [] : [VSCODE], patterns }],
      ...(vscode
        ? {}
        : {
            'no-restricted-syntax': [
              'error',
              {
                selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']",
                message: VSCODE.message,
              },
            ],
          }),
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.vscode-test/**',
      'test-results/**',
      'test/fixtures/**',
      'test/flink/**/target/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware: a promise nobody awaits loses its error (and an async VS Code handler passed where a void callback is
    // expected loses it too), so both are errors.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'multi-line'],
    },
  },
  // The core is shared by the CLI, the extension and the unit tests: it must run without VS Code. The view models
  // are built by the extension host and read by the webview page and the CLI.
  {
    // Build, bench and fixture scripts run on Node as ES modules.
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  layer(
    ['src/core/**/*.ts', 'src/viewModel/**/*.ts'],
    ['commands', 'providers', 'views', 'workbench', 'cli', 'settings.ts', 'services.ts', 'extension.ts'],
    { vscode: false },
  ),
  layer(
    ['src/cli/**/*.ts'],
    ['commands', 'providers', 'views', 'workbench', 'settings.ts', 'services.ts', 'extension.ts'],
    { vscode: false },
  ),
  layer(
    ['media/**/*.ts'],
    ['commands', 'providers', 'views', 'workbench', 'cli', 'settings.ts', 'services.ts', 'extension.ts'],
    { vscode: false },
  ),
  layer(
    ['src/workbench/**/*.ts', 'src/settings.ts'],
    ['commands', 'providers', 'views', 'services.ts', 'extension.ts'],
  ),
  layer(['src/views/**/*.ts'], ['commands', 'providers', 'services.ts', 'extension.ts']),
  layer(['src/providers/**/*.ts'], ['commands', 'views', 'services.ts', 'extension.ts']),
  layer(['src/commands/**/*.ts'], ['extension.ts']),
);
