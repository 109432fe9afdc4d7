import type { EgressRecord } from '../../core/record.js';
import { decodeValue, valueJson } from './value-format.js';

/**
 * An egress record as one JSON object, as the file and log sinks write it:
 * `{"key","egress","typename","value" | "base64","source","at"}` — `value` when the value decodes (built-in
 * types, JSON), else `base64`; `source` is the sending address `namespace/name/id`; `at` the commit time, ms.
 *
 * @example {"key":"example/greeter/Bob#1.e0","egress":"shop/out","typename":"example/Greeting","value":{"text":"Hi"},"source":"example/greeter/Bob","at":1767225600000}
 */
export function recordJson(record: EgressRecord): Record<string, unknown> {
  const { key, egress, argument, source, at } = record;
  return { key, egress, typename: argument.typename, ...valueJson(decodeValue(argument.typename, argument.value)), source: `${source.typename}/${source.id}`, at };
}
