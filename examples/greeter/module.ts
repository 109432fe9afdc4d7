/**
 * The embedded functions of the greeter app: `statefun dev` binds every function this module exports.
 * module.yaml next to it declares the playground ingress and egress.
 */
export { greeter } from './greeter.js';
