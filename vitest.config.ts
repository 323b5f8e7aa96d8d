import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import packages by name; resolve them to source so no build is needed to test.
const alias = {
  '@judgekit/core/testing': src('core/src/testing/index.ts'),
  '@judgekit/core': src('core/src/index.ts'),
  '@judgekit/runner-nsjail': src('runner-nsjail/src/index.ts'),
  '@judgekit/runner-docker': src('runner-docker/src/index.ts'),
  '@judgekit/webhooks': src('webhooks/src/index.ts'),
  '@judgekit/postgres/testing': src('postgres/src/testing/index.ts'),
  '@judgekit/postgres': src('postgres/src/index.ts'),
  '@judgekit/redis/testing': src('redis/src/testing/index.ts'),
  '@judgekit/redis': src('redis/src/index.ts'),
  '@judgekit/http-adapter': src('http-adapter/src/index.ts'),
  '@judgekit/client': src('client/src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // A process warning (leaked listener, unhandled rejection) fails the run.
    dangerouslyIgnoreUnhandledErrors: false,
    // Sandbox tests measure time and memory: one file at a time keeps the figures honest.
    fileParallelism: false,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          setupFiles: ['test/setup/fail-on-warning.ts'],
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          setupFiles: ['test/setup/fail-on-warning.ts'],
          include: ['packages/*/test/integration/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
