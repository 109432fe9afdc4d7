import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineFunction, jsonType, playgroundEgressRecord, TerminalError, valueSpec } from 'statefun-aws';
import { createTestRuntime, type TestRuntime } from 'statefun-aws/testing';

/**
 * Random workloads under random faults: every node's total must equal the model, every expected egress record
 * must arrive exactly once, and every channel must deliver in order without gaps or duplicates (the handler
 * checks sequence numbers and parks the address otherwise, which fails the property).
 */

const NODES = ['a', 'b', 'c', 'd'] as const;

type Msg =
  | { kind: 'ingress'; seq: number; op: number; amount: number; hops: string[]; delayed: boolean; cancel: boolean }
  | { kind: 'hop'; seq: number; op: number; index: number; amount: number; hops: string[]; delayed: boolean }
  | { kind: 'cancel'; seq: number; op: number };

interface NodeState {
  total: number;
  ingressSeq: number;
  sent: Record<string, number>;
  sentDelayed: Record<string, number>;
  received: Record<string, number>;
  receivedDelayed: Record<string, number[]>;
}

const MsgType = jsonType<Msg>('prop/Msg');
const StateType = jsonType<NodeState>('prop/NodeState');

const node = defineFunction({
  typename: 'prop/node',
  specs: { s: valueSpec(StateType) },
  accepts: MsgType,
  handler(ctx, message) {
    const msg = message.as(MsgType);
    const s: NodeState = ctx.storage.s ?? { total: 0, ingressSeq: 0, sent: {}, sentDelayed: {}, received: {}, receivedDelayed: {} };
    const self = ctx.self.id;
    if (msg.kind === 'ingress' || msg.kind === 'cancel') {
      if (msg.seq !== s.ingressSeq + 1) throw new TerminalError(`ingress to ${self}: expected seq ${s.ingressSeq + 1}, got ${msg.seq}`);
      s.ingressSeq = msg.seq;
      if (msg.kind === 'cancel') {
        ctx.cancelDelayedMessage(`op-${msg.op}`);
        ctx.storage.s = s;
        return;
      }
    } else {
      const from = ctx.caller!.id;
      if (msg.delayed) {
        const seen = s.receivedDelayed[from] ?? [];
        if (seen.includes(msg.seq)) throw new TerminalError(`delayed ${from}->${self} #${msg.seq} applied twice`);
        s.receivedDelayed[from] = [...seen, msg.seq];
      } else {
        const expected = (s.received[from] ?? 0) + 1;
        if (msg.seq !== expected) throw new TerminalError(`channel ${from}->${self}: expected #${expected}, got #${msg.seq}`);
        s.received[from] = msg.seq;
      }
    }
    const index = msg.kind === 'ingress' ? 0 : msg.index;
    s.total += msg.amount;
    ctx.sendEgress(playgroundEgressRecord({ topic: 'applied', payload: `${msg.op}:${index}:${self}` }));
    const [next, ...rest] = msg.hops;
    if (next !== undefined) {
      const delayed = msg.kind === 'ingress' && msg.delayed;
      const counter = delayed ? s.sentDelayed : s.sent;
      counter[next] = (counter[next] ?? 0) + 1;
      const hop: Msg = { kind: 'hop', seq: counter[next], op: msg.op, index: index + 1, amount: msg.amount, hops: rest, delayed };
      if (delayed) ctx.sendAfter({ minutes: 30 }, { to: node, id: next, value: hop }, { cancellationToken: `op-${msg.op}` });
      else ctx.send({ to: node, id: next, value: hop });
    }
    ctx.storage.s = s;
  },
});

type Op = { target: string; amount: number; hops: string[]; delayed: boolean; cancel: boolean };
type Fault =
  | { fault: 'crashBeforeCommit' | 'crashAfterCommit' | 'crashMidRelease' | 'timerFiresTwice'; times: number; where: string }
  | { fault: 'duplicate'; times: number; where: string; laterMinutes: number }
  | { fault: 'restart' }
  | { fault: 'run' }
  | { fault: 'fireAfterCancel' };
type Step = { op: Op } | Fault;

const nodeArb = fc.constantFrom(...NODES);
const opArb: fc.Arbitrary<Op> = fc.record({
  target: nodeArb,
  amount: fc.integer({ min: 1, max: 1000 }),
  hops: fc.array(nodeArb, { maxLength: 3 }),
  delayed: fc.boolean(),
  cancel: fc.boolean(),
});
const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    fault: fc.constantFrom('crashBeforeCommit' as const, 'crashAfterCommit' as const, 'crashMidRelease' as const, 'timerFiresTwice' as const),
    times: fc.integer({ min: 1, max: 3 }),
    where: nodeArb,
  }),
  fc.record({ fault: fc.constant('duplicate' as const), times: fc.integer({ min: 1, max: 3 }), where: nodeArb, laterMinutes: fc.constantFrom(0, 10, 40) }),
  fc.constant({ fault: 'restart' as const }),
  fc.constant({ fault: 'run' as const }),
  fc.constant({ fault: 'fireAfterCancel' as const }),
);
const stepsArb = fc.array(fc.oneof({ arbitrary: opArb.map((op) => ({ op })), weight: 3 }, { arbitrary: faultArb, weight: 2 }), {
  minLength: 1,
  maxLength: 25,
});

function expected(ops: Op[]): { totals: Map<string, number>; egress: string[] } {
  const totals = new Map<string, number>();
  const egress: string[] = [];
  ops.forEach((op, i) => {
    const path = [op.target, ...op.hops];
    const reach = op.delayed && op.cancel ? 1 : path.length;
    for (let k = 0; k < reach; k++) {
      totals.set(path[k]!, (totals.get(path[k]!) ?? 0) + op.amount);
      egress.push(`${i}:${k}:${path[k]}`);
    }
  });
  return { totals, egress: egress.sort() };
}

async function play(steps: Step[], atomicEffects: boolean): Promise<{ t: TestRuntime; ops: Op[] }> {
  const t = createTestRuntime({ functions: [node], atomicEffects });
  const ops: Op[] = [];
  const ingressSeq = new Map<string, number>();
  const nextSeq = (target: string): number => {
    const seq = (ingressSeq.get(target) ?? 0) + 1;
    ingressSeq.set(target, seq);
    return seq;
  };
  for (const step of steps) {
    if ('op' in step) {
      const { op } = step;
      const index = ops.push(op) - 1;
      const msg: Msg = { kind: 'ingress', seq: nextSeq(op.target), op: index, amount: op.amount, hops: op.hops, delayed: op.delayed, cancel: op.cancel };
      await t.ingest({ to: node, id: op.target, value: msg });
      if (op.delayed && op.cancel && op.hops.length > 0) {
        await t.ingest({ to: node, id: op.target, value: { kind: 'cancel', seq: nextSeq(op.target), op: index } });
      }
      continue;
    }
    const where = (address: { typename: string; id: string }): boolean => 'where' in step && address.id === step.where;
    switch (step.fault) {
      case 'crashBeforeCommit':
        t.faults.crashBeforeCommit({ times: step.times, where });
        break;
      case 'crashAfterCommit':
        t.faults.crashAfterCommit({ times: step.times, where });
        break;
      case 'crashMidRelease':
        t.faults.crashMidRelease({ times: step.times, where });
        break;
      case 'timerFiresTwice':
        t.faults.timerFiresTwice({ times: step.times, where });
        break;
      case 'duplicate':
        t.faults.duplicateDelivery({ times: step.times, where, after: { minutes: step.laterMinutes } });
        break;
      case 'fireAfterCancel':
        t.faults.timerFiresAfterCancel();
        break;
      case 'restart':
        await t.restart();
        break;
      case 'run':
        await t.run();
        break;
    }
  }
  // Long enough for every retry (backoff up to 5 min, 10 attempts) and every delayed message (30 min).
  await t.advance({ hours: 2 });
  return { t, ops };
}

async function check(steps: Step[], atomicEffects: boolean): Promise<void> {
  const { t, ops } = await play(steps, atomicEffects);
  const parked = await t.parked();
  expect(parked.map((p) => `${p.address.id}: ${p.info.reason}`)).toEqual([]);
  const want = expected(ops);
  for (const id of NODES) {
    const s = t.state(node, id).s;
    expect(s?.total ?? 0, `total of ${id}`).toBe(want.totals.get(id) ?? 0);
  }
  expect(t.playgroundPayloads('applied').sort()).toEqual(want.egress);
  for (const id of NODES) expect(t.pendingTimers({ typename: node.typename, id })).toEqual([]);
}

describe('exactly-once under random interleavings and faults', () => {
  it('holdsWhenEffectsCommitAtomically', async () => {
    await fc.assert(fc.asyncProperty(stepsArb, (steps) => check(steps, true)), { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) });
  });

  it('holdsWhenEffectsAreReleasedAfterTheCommitAsOnAws', async () => {
    await fc.assert(fc.asyncProperty(stepsArb, (steps) => check(steps, false)), { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) });
  });
});
