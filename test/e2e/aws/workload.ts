/**
 * The counter workload of the end-to-end tests and its model: commands sent through the HTTP ingress (with
 * an Idempotency-Key each, retried until accepted), what every counter must end at, and which egress records
 * must arrive — each exactly once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { DynamoDbStateStore } from '../../../runtime/aws/dynamodb/state-store.js';
import { awsOperator } from '../../../runtime/aws/operator.js';
import { intType } from '../../../runtime/sdk/index.js';
import { clientConfig, type AwsEmulatorEndpoints } from '../../support/emulators.js';
import { type Command, drainEgress, type ReceivedRecord } from '../../integration/functions/counter-app.js';
import { quiescent, type StartedApp } from '../../integration/functions/support.js';
import { FaultPlan } from './faults.js';

export interface Workload {
  /** Commands per address id, in the order they are sent. */
  readonly commands: ReadonlyMap<string, readonly Command[]>;
  /** What each counter must end at. */
  readonly model: ReadonlyMap<string, number>;
  /** Refs of the egress records that must arrive, once each. */
  readonly refs: ReadonlySet<string>;
}

/** A model that follows the commands. */
export class Model {
  readonly commands = new Map<string, Command[]>();
  readonly counts = new Map<string, number>();
  readonly refs = new Set<string>();

  send(to: string, command: Command): this {
    let list = this.commands.get(to);
    if (list === undefined) this.commands.set(to, (list = []));
    list.push(command);
    this.counts.set(to, this.counts.get(to) ?? 0);
    switch (command.op) {
      case 'add':
      case 'slow':
        this.add(to, command.n, command.ref);
        break;
      case 'fan':
        this.add(to, command.n, command.ref);
        this.add(command.to, command.m, `${command.ref}>`);
        break;
      case 'forward':
        this.add(command.to, command.n, command.ref);
        break;
      case 'delay':
        this.add(to, command.n, command.ref);
        break;
      default:
        break;
    }
    return this;
  }

  /** A delayed add that is cancelled: sent, but never applied. */
  unapply(to: string, n: number, ref: string): this {
    this.counts.set(to, (this.counts.get(to) ?? 0) - n);
    this.refs.delete(ref);
    return this;
  }

  private add(to: string, n: number, ref: string): void {
    this.counts.set(to, (this.counts.get(to) ?? 0) + n);
    this.refs.add(ref);
  }

  workload(): Workload {
    return { commands: this.commands, model: this.counts, refs: this.refs };
  }
}

/** `addresses` counters with `perAddress` commands each: adds, fans (an add here and one at the next), forwards. */
export function counterWorkload(prefix: string, addresses: number, perAddress: number): Workload {
  const model = new Model();
  const id = (i: number): string => `${prefix}-${i % addresses}`;
  for (let j = 0; j < perAddress; j++) {
    for (let i = 0; i < addresses; i++) {
      const ref = `${id(i)}:${j}`;
      switch (j % 4) {
        case 2:
          model.send(id(i), { op: 'fan', n: 1, to: id(i + 1), m: 2, ref });
          break;
        case 3:
          model.send(id(i), { op: 'forward', to: id(i + 1), n: 3, ref });
          break;
        default:
          model.send(id(i), { op: 'add', n: j + 1, ref });
      }
    }
  }
  return model.workload();
}

/** The route of each function type: `it/counter` behind `/api/counters/{name}`, `it/remote` behind `/api/remote/{name}`. */
export type Route = 'counters' | 'remote';

/** Sends every command through the HTTP ingress, in order per address, addresses in parallel; retries until 202. */
export async function sendWorkload(app: StartedApp, workload: Workload, route: Route = 'counters'): Promise<void> {
  const port = app.local.httpPorts.get('it/api');
  await Promise.all(
    [...workload.commands].map(async ([to, commands]) => {
      for (const command of commands) await post(port!, to, command, undefined, route);
    }),
  );
}

/** Sends one command through the HTTP ingress, keyed by its ref (or a key of its own), until it is accepted. */
export async function post(port: number, to: string, command: Command, key = 'ref' in command ? command.ref : `${to}:${JSON.stringify(command)}`, route: Route = 'counters'): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/${route}/${encodeURIComponent(to)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(command),
    });
    await res.arrayBuffer();
    if (res.status === 202) return;
    if (res.status < 500 || attempt >= 20) throw new Error(`POST ${to} ${JSON.stringify(command)} answered ${res.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/** Clients for the emulators with a fault plan installed. */
export function faultyClients(emulators: AwsEmulatorEndpoints, plan: FaultPlan): { dynamodb: DynamoDBClient; sqs: SQSClient; scheduler: SchedulerClient } {
  return {
    dynamodb: plan.install(new DynamoDBClient(clientConfig(emulators.dynamodb))),
    sqs: plan.install(new SQSClient(clientConfig(emulators.sqs))),
    scheduler: plan.install(new SchedulerClient(clientConfig(emulators.scheduler))),
  };
}

export interface Outcome {
  readonly counts: ReadonlyMap<string, number | undefined>;
  readonly egress: readonly ReceivedRecord[];
}

/** Waits until everything is processed, then reads every counter and the egress records that arrived. */
export async function settle(app: StartedApp, ids: Iterable<string>, received: ReceivedRecord[], typename = 'it/counter'): Promise<Outcome> {
  await quiescent(app);
  const store = new DynamoDbStateStore({ client: app.local.clients.dynamodb, tableName: app.local.resources.tableName });
  const counts = new Map<string, number | undefined>();
  for (const id of ids) {
    const value = (await store.load({ typename, id })).values.get('count');
    counts.set(id, value === undefined ? undefined : intType.deserialize(value.value));
  }
  const binding = app.local.resources.egressBindings.get('it/out');
  if (binding === undefined || !('queueUrl' in binding)) throw new Error('no egress queue');
  received.push(...(await drainEgress(app.local.clients.sqs, binding.queueUrl)));
  return { counts, egress: received.filter((r) => [...counts.keys()].includes(r.id)) };
}

/**
 * The end state every fault test asserts: each counter equals its model, each expected egress record arrived
 * exactly once (no duplicate message, no duplicate key, nothing missing, nothing extra), and nothing is parked.
 */
export async function expectExactlyOnce(app: StartedApp, workload: Workload, received: ReceivedRecord[], typename = 'it/counter'): Promise<void> {
  const outcome = await settle(app, workload.model.keys(), received, typename);
  expect(Object.fromEntries(outcome.counts)).toEqual(Object.fromEntries(workload.model));
  const refs = outcome.egress.map((r) => r.ref).sort();
  expect(refs).toEqual([...workload.refs].sort());
  expect(new Set(outcome.egress.map((r) => r.key)).size).toBe(outcome.egress.length);
  const operator = awsOperator({ env: app.local.env });
  try {
    const parked = (await operator.parked()).filter((p) => workload.model.has(p.address.id));
    expect(parked).toEqual([]);
  } finally {
    operator.close();
  }
}
