import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Import boundaries: shared layers (lib, config, offline, components) never
// reach into features or the app shell; a feature uses another feature's
// api/ modules but not its components (printing is the one shared widget).
const sharedLayers = {
  patterns: [
    { group: ['**/features/**', '**/app/**'], message: 'Shared code must not depend on features or the app shell.' },
  ],
};
const featureLayer = {
  patterns: [
    {
      regex: '^\\.\\./\\.\\./(?!printer/components/print-actions)[\\w-]+/components/',
      message: "Use another feature's api/ (or move the shared piece to components/ui).",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist', 'dev-dist', 'node_modules', 'e2e/screenshots'] },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/{api,lib,config,offline,components}/**/*.{ts,tsx}'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', sharedLayers] } },
  { files: ['src/features/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', featureLayer] } },
  { files: ['src/customer/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/features/**', '**/app/**', '**/offline/**'], message: "The customer app uses the shared layers (lib, api, config, components/ui), never the driver's features, app shell or outbox." }] }] } },
  { files: ['e2e/**/*.mjs', 'scripts/**/*.mjs'], extends: [js.configs.recommended], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
);
