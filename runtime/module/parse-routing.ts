import { show } from '../core/typename.js';
import type { KeyRule } from './egress.js';
import { validateJsonPointer } from './json-pointer.js';
import type { IdRule, IdRuleType, RoutingRule } from './routing.js';
import type { SpecObject, SpecValue } from './spec-reader.js';

const ID_RULES_WITHOUT_PARAMETERS: ReadonlySet<IdRuleType> = new Set(['record-key', 'message-group-id', 'body']);
const ID_RULE_PARAMETER: Readonly<Partial<Record<IdRuleType, 'name' | 'pointer'>>> = {
  'message-attribute': 'name',
  header: 'name',
  'path-parameter': 'name',
  'json-pointer': 'pointer',
};

export const ALL_ID_RULES: readonly IdRuleType[] = [
  'record-key',
  'message-group-id',
  'message-attribute',
  'header',
  'path-parameter',
  'json-pointer',
  'body',
];

/**
 * Reads an {@link IdRule}: `message-group-id`, or `{ type: json-pointer, pointer: /customer/id }`.
 *
 * @param allowed the rules that make sense for the ingress at hand.
 */
export function readIdRule(value: SpecValue, allowed: readonly IdRuleType[]): IdRule {
  let type: string;
  let object: SpecObject | undefined;
  if (typeof value.raw === 'string') {
    type = value.raw;
  } else {
    object = value.object();
    type = object.require('type').string();
  }
  if (!(allowed as readonly string[]).includes(type)) {
    value.fail(`must name one of ${allowed.join(', ')} to read the id from, got ${show(type)}`);
  }
  const rule = type as IdRuleType;
  const parameter = ID_RULE_PARAMETER[rule];
  if (parameter === undefined) {
    object?.finish(`idFrom of type ${rule}`);
    return { type: rule } as IdRule;
  }
  if (object === undefined) value.fail(`must be a mapping { type: ${rule}, ${parameter}: … }`);
  const parameterValue = object.require(parameter);
  const text = parameter === 'pointer' ? validateJsonPointer(parameterValue.raw, value.ctx.where(parameterValue.path)) : parameterValue.string();
  object.finish(`idFrom of type ${rule}`);
  return { type: rule, [parameter]: text } as IdRule;
}

/** Whether an id rule needs no parameter, so it may be written as a plain string. */
export function isShorthandIdRule(type: IdRuleType): boolean {
  return ID_RULES_WITHOUT_PARAMETERS.has(type);
}

/** `valueType` and `targets` of a spec or route: a typename and a non-empty list of function types. */
export function readValueTypeAndTargets(object: SpecObject): { valueType: string; targets: string[] } {
  const valueType = object.require('valueType').typename();
  const targets = object.require('targets').nonEmptyList().map((target) => {
    const typename = target.functionTypename();
    if (typename.endsWith('/*')) target.fail(`must be a function type; ${show(typename)} is a namespace pattern`);
    return typename;
  });
  return { valueType, targets };
}

/**
 * A routing rule as `bindRouter({ rules })` takes it: `{ source?, valueType, targets, idFrom }`, any id rule.
 */
export function readRoutingRule(value: SpecValue): RoutingRule {
  const object = value.object();
  const source = object.get('source')?.string();
  const { valueType, targets } = readValueTypeAndTargets(object);
  const idFrom = readIdRule(object.require('idFrom'), ALL_ID_RULES);
  object.finish('a routing rule');
  return { source, valueType, targets, idFrom };
}

const KEY_RULES = ['source-address', 'source-id', 'source-type', 'fixed', 'json-pointer'] as const;

/** Reads a {@link KeyRule}: `source-id`, or `{ type: fixed, value: all }`. */
export function readKeyRule(value: SpecValue): KeyRule {
  if (typeof value.raw === 'string') {
    const type = value.oneOf(KEY_RULES);
    if (type === 'fixed' || type === 'json-pointer') value.fail(`must be a mapping { type: ${type}, ${type === 'fixed' ? 'value' : 'pointer'}: … }`);
    return { type };
  }
  const object = value.object();
  const type = object.require('type').oneOf(KEY_RULES);
  let rule: KeyRule;
  if (type === 'fixed') rule = { type, value: object.require('value').text() };
  else if (type === 'json-pointer') {
    const pointer = object.require('pointer');
    rule = { type, pointer: validateJsonPointer(pointer.raw, value.ctx.where(pointer.path)) };
  } else rule = { type };
  object.finish(`a key rule of type ${type}`);
  return rule;
}
