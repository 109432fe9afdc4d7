/**
 * An EventBridge Scheduler emulator: the restJson1 API of `@aws-sdk/client-scheduler` (schedules, schedule
 * groups, tags) over one-time `at()` schedules that really fire — into SQS queues and in-process Lambda
 * handlers — with durable timers, retries, dead-letter queues and an injectable clock.
 */
export { type EmulatorClock, ManualClock, systemEmulatorClock } from './clock.js';
export type { DeliveryRecord } from './dispatcher.js';
export type { Completion, RunState, ScheduleData } from './model.js';
export type { FlexibleWindowPolicy } from './scheduler-service.js';
export { EMULATOR_ACCOUNT_ID, type SchedulerEmulator, type SchedulerEmulatorOptions, startSchedulerEmulator } from './scheduler-emulator.js';
export {
  type SchedulerEmulatorProcess,
  type SchedulerEmulatorProcessOptions,
  spawnSchedulerEmulator,
} from './scheduler-emulator-process.js';
export type { LambdaTargetHandler, LambdaTargetInvocation } from './targets.js';
