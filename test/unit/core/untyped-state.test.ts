import { describe, expect, it } from 'vitest';
import { DEFAULT_DEDUP_POLICY } from '../../../runtime/core/dedup.js';
import { emptyRecord } from '../../../runtime/core/record.js';
import { NEVER_EXPIRES, UNTYPED_STATE_TYPENAME } from '../../../runtime/core/state-spec.js';
import { applyTurn, planTurn, type TurnContext } from '../../../runtime/core/turn.js';

const self = { typename: 'legacy/fn', id: 'x' };
const ctx: TurnContext = {
  self,
  now: 1_000,
  specs: [{ name: 'seen', typename: UNTYPED_STATE_TYPENAME, expiration: NEVER_EXPIRES }],
  maxBatch: 10,
  dedup: DEFAULT_DEDUP_POLICY,
  releaseProvenByAck: true,
};
const message = {
  id: 'ingress:1',
  target: self,
  caller: undefined,
  argument: { typename: 'io.statefun.types/string', value: new Uint8Array([10, 1, 97]) },
  origin: { kind: 'ingress' as const, key: '1', keyed: false, acceptedAt: 1_000 },
};

describe('states declared without a type (StateFun 2.x module.yaml)', () => {
  it('takeAValueOfWhateverTypeTheFunctionWritesAndSendItBackWithThatType', () => {
    const plan = planTurn(emptyRecord(), [message], ctx);
    expect(plan.request?.state).toEqual([{ name: 'seen', typename: UNTYPED_STATE_TYPENAME, value: undefined }]);
    const value = new Uint8Array([13, 7, 0, 0, 0]);
    const result = applyTurn(emptyRecord(), plan, {
      completed: 1,
      mutations: [{ kind: 'modify', name: 'seen', value: { typename: 'io.statefun.types/int', value } }],
      messages: [],
      delayed: [],
      egress: [],
    }, ctx);
    expect(result.record?.values.get('seen')).toEqual({ typename: 'io.statefun.types/int', value, expiresAt: undefined });
    const next = planTurn(result.record!, [{ ...message, id: 'ingress:2' }], ctx);
    expect(next.request?.state).toEqual([{ name: 'seen', typename: 'io.statefun.types/int', value }]);
  });
});
