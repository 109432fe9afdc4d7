import { addressKey } from '../../core/address.js';
import { TerminalError } from '../../core/errors.js';
import type { EgressRecord } from '../../core/record.js';
import type { KeyRule } from '../../module/egress.js';
import { evaluateJsonPointer } from '../../module/json-pointer.js';
import type { EgressPayload } from './payload.js';

/** The default key rule: the sending address, so records of one sender stay in order. */
export const SOURCE_ADDRESS: KeyRule = Object.freeze({ type: 'source-address' });

/**
 * The key a {@link KeyRule} derives from a record (before any length limit: callers hash long keys).
 * `json-pointer` needs a JSON value with a string or number at the pointer; otherwise a {@link TerminalError}
 * names the egress, the record and the pointer.
 */
export function keyOf(rule: KeyRule, record: EgressRecord, payload: EgressPayload): string {
  switch (rule.type) {
    case 'source-address':
      return addressKey(record.source);
    case 'source-id':
      return record.source.id;
    case 'source-type':
      return record.source.typename;
    case 'fixed':
      return rule.value;
    case 'json-pointer': {
      const found = payload.kind === 'json' ? evaluateJsonPointer(payload.value, rule.pointer) : undefined;
      if (typeof found === 'string' && found !== '') return found;
      if (typeof found === 'number' && Number.isFinite(found)) return String(found);
      throw new TerminalError(
        `egress ${record.egress}: record ${record.key} (${record.argument.typename}) has no string or number at ${JSON.stringify(rule.pointer)} ` +
          `to derive its key from${payload.kind === 'json' ? '' : ' (its value is not JSON)'}`,
      );
    }
  }
}
