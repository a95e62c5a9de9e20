import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layers from './eslint/module-layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'web/dist/', 'node_modules/', 'bench/*.js', 'artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { distillguard: layers },
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
      'distillguard/module-layers': 'error',
    },
  },
  {
    // The dashboard is one browser app (its own tsconfig); its folders are not engine modules.
    // It may reach the engine only for schema types, through src/contracts/index.js.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/src/(?!contracts/index\\.js$)',
              message: 'The dashboard imports engine code only as types from src/contracts/index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/contracts is bundled into the dashboard too (it imports src/contracts/index.js), so it
    // must run in a browser: only zod and its own files, no node: modules, no Node globals.
    files: ['src/contracts/**/*.ts'],
    ignores: ['src/contracts/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|\\./)',
              message: 'src/contracts runs in the browser (the dashboard): import only zod and ./ files.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global'],
    },
  },
  {
    // A function is read whole: production code (engine and dashboard) keeps each one to 150
    // lines of code, blank lines and comments aside, an IIFE counted as a function. Tests are
    // exempt (a describe block is a list of cases). See docs/architecture.md, "Function length".
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 150, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
