/**
 * The API to write stateful functions with. Users import it, with the module API, from `statefun-aws`
 * (`runtime/index.ts`).
 */
export type { Address } from '../core/address.js';
export { address, addressKey, parseAddressKey, sameAddress } from '../core/address.js';
export { type Duration, durationToMs, formatMs } from '../core/duration.js';
export {
  isStatefunError,
  RetryableError,
  StatefunError,
  TerminalError,
  ValidationError,
  VersionConflictError,
} from '../core/errors.js';
export type { TypedValue } from '../core/typed-value.js';
export {
  type PlaygroundEgressRecord,
  type EgressMessage,
  kafkaEgressRecord,
  kinesisEgressRecord,
  PLAYGROUND_EGRESS,
  playgroundEgressRecord,
  PlaygroundEgressRecordType,
} from './egress-records.js';
export { embeddedBinding } from './binding.js';
export { embeddedInvoker } from './embedded-invoker.js';
export {
  type Context,
  defineFunction,
  type FunctionDefinition,
  type FunctionOptions,
  type FunctionRef,
  type Handler,
  isFunctionDefinition,
  type OutgoingMessage,
  type SendAfterOptions,
  type Specs,
  type StateCell,
  type StateOf,
} from './function.js';
export { Message } from './message.js';
export {
  boolType,
  BUILT_IN_TYPES,
  customType,
  doubleType,
  floatType,
  intType,
  jsonType,
  longType,
  type ProtobufCodec,
  protobufType,
  stringType,
  type Type,
} from './types.js';
export { type ValueSpec, type ValueSpecOptions, valueSpec } from './value-spec.js';
