import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Integration tests: the AWS adapters against real-protocol emulators that this project starts itself.
 * One set of emulators (DynamoDB Local, SQS, Scheduler) is started per run by the globalSetup and shared by
 * all files; unit runs never load it.
 *
 *     npx vitest run --config vitest.integration.config.ts
 *
 * Also usable as a project of the root config: `test.projects: [..., './vitest.integration.config.ts']`.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^statefun-aws$/, replacement: here('./runtime/index.ts') },
      { find: /^statefun-aws\/testing$/, replacement: here('./runtime/local/testing/index.ts') },
      { find: /^statefun-aws\/cdk$/, replacement: here('./lib/index.ts') },
    ],
  },
  test: {
    name: 'integration',
    root: here('.'),
    include: ['test/integration/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/emulators.global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
