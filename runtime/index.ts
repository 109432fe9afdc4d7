/**
 * statefun-aws: the API to write stateful functions with, and to compose them into modules.
 *
 * @example
 * import { defineFunction, defineModule, valueSpec, intType, jsonType, playgroundEgressRecord } from 'statefun-aws';
 */
export * from './sdk/index.js';
export type { GlobalConfig } from './module/config.js';
export { type Configure, defineModule, type EmbeddedModule, type ModuleBinder, type ModuleOptions, type RouterOptions } from './module/embedded-module.js';
export type { EgressInput, EndpointInput, IdRuleInput, IngressInput, KeyRuleInput, RoutingRuleInput } from './module/inputs.js';
export type { IngressRecord, RouteFunction, Routed, Router } from './module/routing.js';
