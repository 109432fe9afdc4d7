/**
 * statefun-aws/testing: test your functions in memory, on virtual time, with fault injection.
 *
 * @example
 * import { createTestRuntime } from 'statefun-aws/testing';
 */
export { createTestRuntimeFromApp, type TestAppOptions } from './from-app.js';
export { type DuplicateOptions, type FaultOptions, Faults, InjectedCrash, type InjectedCounts } from './faults.js';
export {
  createTestRuntime,
  type ParkedAddressReport,
  type SentMessage,
  type TestMessage,
  TestRuntime,
  type TestRuntimeOptions,
} from './test-runtime.js';
