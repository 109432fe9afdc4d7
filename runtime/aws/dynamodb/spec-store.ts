import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TerminalError } from '../../core/errors.js';
import { type ExpireMode, type StateSpecDecl, validateStateSpec } from '../../core/state-spec.js';
import type { SpecStore } from '../../ports.js';
import { awsCall } from '../aws-errors.js';
import { CapacityTally, reportedUnits } from './capacity.js';
import { itemSize, readUnits, writeUnits } from './item-size.js';
import { SPEC_SK, specPartitionKey } from './keys.js';
import { PK, SK } from './table.js';
import { type DynamoDbTableOptions, TableAccess } from './table-access.js';

/** Attribute name prefix of one registered state: `s:<state name>`. */
const SPEC_ATTR_PREFIX = 's:';

/**
 * {@link SpecStore} over the state table: one item per function type (`pk` = `spec#<function type>`, `sk` =
 * `spec`) holding one map attribute per state, `s:<name>` = `{ t: typename, m: expire mode, ms: ttl }`.
 *
 * A registration is one UpdateItem that SETs only the states it names. Each state is its own attribute and
 * DynamoDB applies an update atomically to the item, so two containers registering different states at once
 * both keep theirs — a merge without reading first, and without a condition that could fail (a later
 * registration of the same state replaces it, as the port says). Loads are strongly consistent GetItems.
 */
export class DynamoDbSpecStore implements SpecStore {
  readonly capacity: CapacityTally;
  private readonly table: TableAccess;

  constructor(options: DynamoDbTableOptions) {
    this.capacity = options.capacity ?? new CapacityTally();
    this.table = new TableAccess(options.client, options.tableName, this.capacity);
  }

  async loadSpecs(functionType: string): Promise<readonly StateSpecDecl[]> {
    const out = await awsCall(`DynamoDB GetItem of the specs of ${functionType}`, () =>
      this.table.client.send(
        new GetItemCommand({
          TableName: this.table.tableName,
          Key: { [PK]: { S: specPartitionKey(functionType) }, [SK]: { S: SPEC_SK } },
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    this.capacity.add('specs.load', { rru: readUnits(out.Item === undefined ? 0 : itemSize(out.Item)), reported: reportedUnits(out.ConsumedCapacity) });
    const specs: StateSpecDecl[] = [];
    for (const [attr, value] of Object.entries(out.Item ?? {})) {
      if (!attr.startsWith(SPEC_ATTR_PREFIX)) continue;
      specs.push(readSpec(attr.slice(SPEC_ATTR_PREFIX.length), value, functionType));
    }
    return specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async registerSpecs(functionType: string, specs: readonly StateSpecDecl[]): Promise<void> {
    if (specs.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const sets: string[] = [];
    // The last registration of a name in one call wins, as with mergeSpecs.
    const byName = new Map(specs.map((s) => [s.name, validateStateSpec(s, functionType)]));
    [...byName.values()].forEach((spec, i) => {
      names[`#s${i}`] = SPEC_ATTR_PREFIX + spec.name;
      values[`:s${i}`] = specValue(spec);
      sets.push(`#s${i} = :s${i}`);
    });
    const key = { [PK]: { S: specPartitionKey(functionType) }, [SK]: { S: SPEC_SK } };
    const out = await awsCall(`DynamoDB UpdateItem of the specs of ${functionType}`, () =>
      this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    // Billed on the larger of the item before and after; the new states are a lower bound of the latter.
    const size = itemSize({ ...key, ...Object.fromEntries(Object.keys(names).map((n) => [names[n]!, values[`:${n.slice(1)}`]!])) });
    this.capacity.add('specs.register', { wru: writeUnits(size), reported: reportedUnits(out.ConsumedCapacity) });
  }
}

function specValue(spec: StateSpecDecl): AttributeValue {
  return { M: { t: { S: spec.typename }, m: { S: spec.expiration.mode }, ms: { N: String(spec.expiration.ttlMs) } } };
}

function readSpec(name: string, value: AttributeValue, functionType: string): StateSpecDecl {
  const map = value.M;
  const typename = map?.['t']?.S;
  const mode = map?.['m']?.S as ExpireMode | undefined;
  const ttlMs = Number(map?.['ms']?.N ?? '0');
  if (typename === undefined || mode === undefined) {
    throw new TerminalError(`the stored spec of state ${JSON.stringify(name)} of ${functionType} is corrupt`);
  }
  return validateStateSpec({ name, typename, expiration: { mode, ttlMs } }, functionType);
}
