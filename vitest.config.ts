import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * `npm test` runs two projects:
 * - `unit`: no I/O beyond temp files; never starts an emulator;
 * - `integration` (vitest.integration.config.ts): the AWS adapters, remote functions, `statefun dev` and the
 *   end-to-end tests, sharing one set of emulators per run, started and stopped by its globalSetup.
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
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cdk/**/*.test.ts', 'examples/**/*.test.ts'] },
      },
      './vitest.integration.config.ts',
    ],
  },
});
