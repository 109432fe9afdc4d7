/**
 * vitest globalSetup: one set of AWS emulators for the whole run, shared by every test file of the project.
 * Endpoints reach the test files through `provide('awsEmulators')` (read with `useAwsEmulators()`) and, for code
 * that builds default-configured SDK clients, through `AWS_ENDPOINT_URL_*` in the environment the test workers
 * inherit. Teardown stops the three emulator processes by PID.
 */
import type { TestProject } from 'vitest/node';
import { awsEmulatorEnv, startAwsEmulators } from './emulators.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulators = await startAwsEmulators();
  const env = awsEmulatorEnv(emulators.endpoints);
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  project.provide('awsEmulators', emulators.endpoints);
  return async () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await emulators.stop();
  };
}
