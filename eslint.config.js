import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const awsOnly = {
  group: ['@aws-sdk/*', '@smithy/*'],
  message: 'Only runtime/aws/ may import the AWS SDK: the engine speaks domain types (DESIGN.md).',
};
const osIo = {
  group: ['node:fs', 'node:fs/*', 'fs', 'node:http', 'node:https', 'http', 'https', 'node:net', 'node:child_process'],
  message: 'runtime/core is pure: no file, network or process I/O (DESIGN.md).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'cdk.out/**', '**/cdk.out/**', '**/.statefun/**', 'bench/.build/**', 'proto/generated/**', 'bench/node_modules/**', 'bench/restate/**', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bench/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-restricted-imports': ['error', { patterns: [awsOnly] }],
    },
  },
  {
    files: ['runtime/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [awsOnly, osIo, { group: ['../*', '!../core/*'], message: 'runtime/core depends on nothing else in the project.' }] }],
    },
  },
  {
    files: ['runtime/aws/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
