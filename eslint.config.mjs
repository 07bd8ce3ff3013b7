// Architecture boundaries (see the layout in README): the saga definitions stay pure,
// shared infrastructure never reaches into services, and workers never import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const restrict = (patterns) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: patterns.map((group) => ({ group, message: 'Crosses an architecture boundary.' })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      // noUncheckedIndexedAccess flags every index; `!` marks the places where the index is known.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['sagas/**/*.ts'],
    rules: restrict([
      [
        '**/lib/**',
        '**/coordinator/**',
        '**/workers/**',
        'knex',
        'pg',
        'amqplib',
        'amqp-connection-manager',
        'express',
        'winston',
        'node:*',
        'fs',
        'crypto',
      ],
    ]),
  },
  {
    files: ['lib/**/*.ts'],
    rules: restrict([['**/sagas/**', '**/coordinator/**', '**/workers/**']]),
  },
  { files: ['coordinator/**/*.ts'], rules: restrict([['**/workers/**']]) },
  {
    // Browser code: it talks to the HTTP API only; pure contract types and tables are shared.
    files: ['console/src/**/*.{ts,tsx}'],
    rules: restrict([
      [
        '**/lib/**',
        '**/coordinator/**',
        '**/workers/**',
        '**/migrations/**',
        '**/scripts/**',
        '**/test/**',
        '**/sagas/order/**',
        'node:*',
        'express',
        'knex',
        'pg',
        'amqplib',
        'amqp-connection-manager',
        'winston',
      ],
    ]),
  },
  {
    files: ['workers/payment/**/*.ts'],
    rules: restrict([
      ['**/coordinator/**', '**/sagas/order/**', '**/inventory/**', '**/shipping/**'],
    ]),
  },
  {
    files: ['workers/inventory/**/*.ts'],
    rules: restrict([
      ['**/coordinator/**', '**/sagas/order/**', '**/payment/**', '**/shipping/**'],
    ]),
  },
  {
    files: ['workers/shipping/**/*.ts'],
    rules: restrict([
      ['**/coordinator/**', '**/sagas/order/**', '**/payment/**', '**/inventory/**'],
    ]),
  },
  {
    files: ['workers/runtime/**/*.ts'],
    rules: restrict([
      [
        '**/coordinator/**',
        '**/sagas/order/**',
        '**/payment/**',
        '**/inventory/**',
        '**/shipping/**',
      ],
    ]),
  },
  {
    files: ['migrations/**/*.ts'],
    rules: restrict([['**/lib/**', '**/sagas/**', '**/coordinator/**', '**/workers/**']]),
  },
  { files: ['scripts/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
);
