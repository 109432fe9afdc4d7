import { type ComposeOptions, composeApp } from '../../module/app.js';
import { TestRuntime, type TestRuntimeOptions } from './test-runtime.js';

export interface TestAppOptions extends ComposeOptions, Omit<TestRuntimeOptions, 'functions' | 'egresses'> {}

/**
 * A {@link TestRuntime} for a whole app, composed exactly as `statefun dev` composes it: the modules'
 * embedded functions (configured with `config`/`args`) and their declared egresses. Remote endpoints are not
 * called from tests: bind fakes for their function types through `bindings`.
 *
 * @example
 * const t = await createTestRuntimeFromApp({ modules: [onboarding], args: ['--onboarding.first-reminder', '20 s'] });
 */
export async function createTestRuntimeFromApp(options: TestAppOptions): Promise<TestRuntime> {
  const app = await composeApp(options);
  return new TestRuntime({
    ...options,
    functions: [...app.functions.values()].map((f) => f.definition),
    egresses: [...app.egresses.keys()],
  });
}
