import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'web/dist/', 'node_modules/', 'bench/*.js', 'artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Going up is fine to a file beside, or to a module's index.js (also from
              // src/cli/commands/ and test/): a glob cannot say this, a negated parent dir stays excluded.
              regex: '^(?!(\\.\\./)+([^/]+|(src/)?[^/.][^/]*/index\\.js)$)\\.\\./',
              message: 'Import another module through its index.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard is one browser app (its own tsconfig); its folders are not engine modules.
    // It may reach the engine only for schema types, through src/schema/index.js.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/src/(?!schema/index\\.js$)',
              message: 'The dashboard imports engine code only as types from src/schema/index.js.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
