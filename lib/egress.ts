import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import { show } from '../runtime/core/typename.js';
import type { EgressManifest, ResourceManifest } from './app-manifest.js';
import { EGRESS_PERMISSIONS, KMS_PRODUCER_PERMISSIONS } from './iam-actions.js';
import { acknowledgeWildcard } from './nag.js';

/** What an egress needs of an event bus (an `events.IEventBus` has it). */
export interface EventBusLike {
  readonly eventBusName: string;
  readonly eventBusArn: string;
}

type Target =
  | { readonly type: 'sqs'; readonly queue: sqs.IQueue }
  | { readonly type: 'sns'; readonly topic: sns.ITopic }
  | { readonly type: 'eventbridge'; readonly bus: EventBusLike }
  | { readonly type: 'kinesis'; readonly stream: kinesis.IStream };

/**
 * The AWS resource an egress of the app writes to, when the stack creates it (or imports it itself): binds
 * the egress id declared in a module to that resource, overriding the name written in the module.
 * Egresses left unbound use the queue, topic, bus or stream their module names (by name in the stack's
 * account and region, or by ARN or URL). StateFun's playground egress (`io.statefun.playground/egress`) may be
 * bound to a queue too: its records arrive there as `{"topic": …, "payload": …}` JSON.
 *
 * @example
 * const emails = new sqs.Queue(this, 'Emails', { fifo: true });
 * new StatefulFunctions(this, 'App', { modules: [...], egresses: { 'onboarding/emails': EgressTarget.queue(emails) } });
 */
export class EgressTarget {
  /** An SQS queue (`io.statefun-aws.sqs.v1/egress`): FIFO exactly when the module's queue name ends in `.fifo`. */
  static queue(queue: sqs.IQueue): EgressTarget {
    return new EgressTarget({ type: 'sqs', queue });
  }

  /** An SNS topic (`io.statefun-aws.sns.v1/egress`). */
  static topic(topic: sns.ITopic): EgressTarget {
    return new EgressTarget({ type: 'sns', topic });
  }

  /** An EventBridge event bus (`io.statefun-aws.eventbridge.v1/egress`), e.g. an `events.EventBus`. */
  static eventBus(bus: EventBusLike): EgressTarget {
    return new EgressTarget({ type: 'eventbridge', bus });
  }

  /** A Kinesis data stream (`io.statefun-aws.kinesis.v1/egress`). */
  static stream(stream: kinesis.IStream): EgressTarget {
    return new EgressTarget({ type: 'kinesis', stream });
  }

  private constructor(readonly target: Target) {}

  /** `sqs`, `sns`, `eventbridge` or `kinesis`. */
  get type(): Target['type'] {
    return this.target.type;
  }
}

/** An egress resolved to its resource: what `STATEFUN_EGRESS_BINDINGS` says of it, and its grant. */
export interface ResolvedEgress {
  readonly id: string;
  /** Undefined for egresses without a resource (log; Kinesis records naming their own streams). */
  readonly binding: Readonly<Record<string, string>> | undefined;
  /** Grants exactly what the dispatcher calls on the resource. */
  grant(grantee: iam.IGrantable): void;
}

const KIND_OF_TYPE: Readonly<Record<Target['type'], string>> = {
  sqs: 'io.statefun-aws.sqs.v1/egress',
  sns: 'io.statefun-aws.sns.v1/egress',
  eventbridge: 'io.statefun-aws.eventbridge.v1/egress',
  kinesis: 'io.statefun-aws.kinesis.v1/egress',
};

/**
 * Resolves every deployable egress of the app to its resource: the one bound in `targets`, else the one its
 * module names. Throws a {@link ValidationError} for a binding of an egress the app does not declare, or of
 * the wrong kind, or a FIFO queue or topic where the module declares a standard one (and the reverse).
 */
export function resolveEgresses(scope: Construct, egresses: readonly EgressManifest[], targets: Readonly<Record<string, EgressTarget>>): ResolvedEgress[] {
  const declared = new Map(egresses.map((e) => [e.id, e]));
  for (const [id, target] of Object.entries(targets)) {
    const egress = declared.get(id);
    if (egress === undefined || egress.type === 'log') {
      const ids = egresses.filter((e) => e.type !== 'log').map((e) => e.id);
      throw new ValidationError(
        `${scope.node.path}: egresses binds ${show(id)}, which no module of the app declares as an AWS egress` +
          (ids.length === 0 ? ' (it declares none)' : ` (it declares ${ids.join(', ')})`),
      );
    }
    if (!(target instanceof EgressTarget)) {
      throw new ValidationError(`${scope.node.path}: egresses[${show(id)}] must be made with EgressTarget.queue/topic/eventBus/stream, got ${show(target)}`);
    }
    const acceptable = egress.type === 'playground' ? 'sqs' : egress.type;
    if (acceptable !== target.type) {
      throw new ValidationError(
        `${scope.node.path}: egress ${show(id)} is declared as ${egress.kind} (${egress.source}), but egresses[${show(id)}] is ${KIND_OF_TYPE[target.type]} (EgressTarget.${target.type === 'sqs' ? 'queue' : target.type === 'sns' ? 'topic' : target.type === 'eventbridge' ? 'eventBus' : 'stream'})`,
      );
    }
  }
  return egresses.map((egress) => resolveOne(scope, egress, targets[egress.id]?.target));
}

function resolveOne(scope: Construct, egress: EgressManifest, given: Target | undefined): ResolvedEgress {
  const stack = Stack.of(scope);
  const importId = `Egress${egress.id.replace(/[^A-Za-z0-9]/g, '')}`;
  switch (egress.type) {
    case 'log':
      return { id: egress.id, binding: undefined, grant: () => {} };
    case 'playground': {
      // Bound to a queue, the playground's records ({"topic", "payload"} JSON) go there; unbound, nowhere.
      if (given?.type !== 'sqs') return { id: egress.id, binding: undefined, grant: () => {} };
      const queue = given.queue;
      return {
        id: egress.id,
        binding: { queueUrl: queue.queueUrl },
        grant: (grantee) => {
          queue.grant(grantee, ...EGRESS_PERMISSIONS.sqs);
          grantKey(queue.encryptionMasterKey, grantee);
        },
      };
    }
    case 'sqs': {
      const queue = given?.type === 'sqs' ? given.queue : importQueue(scope, importId, egress.queue);
      const fifo = queue.fifo;
      if (given !== undefined && fifo !== egress.queue.fifo) {
        throw new ValidationError(
          `${scope.node.path}: egress ${show(egress.id)} declares ${egress.queue.fifo ? 'a FIFO' : 'a standard'} queue ${show(egress.queue.ref)} (${egress.source}), ` +
            `but egresses[${show(egress.id)}] is ${fifo ? 'a FIFO' : 'a standard'} queue; FIFO queue names end in ".fifo"`,
        );
      }
      return {
        id: egress.id,
        binding: { queueUrl: queue.queueUrl },
        grant: (grantee) => {
          queue.grant(grantee, ...EGRESS_PERMISSIONS.sqs);
          grantKey(queue.encryptionMasterKey, grantee);
        },
      };
    }
    case 'sns': {
      const topicArn = given?.type === 'sns' ? given.topic.topicArn : resourceArn(stack, 'sns', egress.topic, (name) => name);
      if (given?.type === 'sns' && given.topic.fifo !== egress.topic.fifo) {
        throw new ValidationError(
          `${scope.node.path}: egress ${show(egress.id)} declares ${egress.topic.fifo ? 'a FIFO' : 'a standard'} topic ${show(egress.topic.ref)} (${egress.source}), ` +
            `but egresses[${show(egress.id)}] is ${given.topic.fifo ? 'a FIFO' : 'a standard'} topic; FIFO topic names end in ".fifo"`,
        );
      }
      return {
        id: egress.id,
        binding: { topicArn },
        grant: (grantee) => {
          iam.Grant.addToPrincipal({ grantee, actions: [...EGRESS_PERMISSIONS.sns], resourceArns: [topicArn] });
          if (given?.type === 'sns') grantKey(given.topic.masterKey, grantee);
        },
      };
    }
    case 'eventbridge': {
      const bus: EventBusLike =
        given?.type === 'eventbridge'
          ? given.bus
          : egress.bus.ref.startsWith('arn:')
            ? events.EventBus.fromEventBusArn(scope, importId, egress.bus.ref)
            : events.EventBus.fromEventBusName(scope, importId, egress.bus.name);
      // PutEvents takes a bus name or ARN; an ARN reaches a bus in another account or region.
      const busName = given === undefined && egress.bus.ref.startsWith('arn:') ? egress.bus.ref : bus.eventBusName;
      return {
        id: egress.id,
        binding: { busName },
        grant: (grantee) => iam.Grant.addToPrincipal({ grantee, actions: [...EGRESS_PERMISSIONS.eventbridge], resourceArns: [bus.eventBusArn] }),
      };
    }
    case 'kinesis': {
      if (given?.type === 'kinesis') {
        const stream = given.stream;
        return {
          id: egress.id,
          binding: { streamName: stream.streamName },
          grant: (grantee) => {
            iam.Grant.addToPrincipal({ grantee, actions: [...EGRESS_PERMISSIONS.kinesis], resourceArns: [stream.streamArn] });
            if (stream.encryptionKey !== undefined) stream.encryptionKey.grant(grantee, 'kms:GenerateDataKey');
          },
        };
      }
      if (egress.stream === undefined) {
        // Records name their own streams (StateFun KinesisEgressRecords): any stream of the account and region.
        const anyStream = stack.formatArn({ service: 'kinesis', resource: 'stream', resourceName: '*' });
        return {
          id: egress.id,
          binding: undefined,
          grant: (grantee) => {
            iam.Grant.addToPrincipal({ grantee, actions: [...EGRESS_PERMISSIONS.kinesis], resourceArns: [anyStream] });
            if (Construct.isConstruct(grantee)) {
              acknowledgeWildcard(grantee, anyStream, `egress ${egress.id} (${egress.source}) names no stream: its KinesisEgressRecords name their own streams`);
            }
          },
        };
      }
      const streamArn = resourceArn(stack, 'kinesis', egress.stream, (name) => `stream/${name}`);
      return {
        id: egress.id,
        binding: { streamName: egress.stream.ref.startsWith('arn:') ? egress.stream.ref : egress.stream.name },
        grant: (grantee) => iam.Grant.addToPrincipal({ grantee, actions: [...EGRESS_PERMISSIONS.kinesis], resourceArns: [streamArn] }),
      };
    }
  }
}

function grantKey(key: kms.IKey | undefined, grantee: iam.IGrantable): void {
  if (key !== undefined) key.grant(grantee, ...KMS_PRODUCER_PERMISSIONS);
}

/** The ARN of a resource a module names: as written when an ARN, else in the stack's account and the resource's (or stack's) region. */
function resourceArn(stack: Stack, service: string, ref: ResourceManifest, resource: (name: string) => string): string {
  if (ref.ref.startsWith('arn:')) return ref.ref;
  return Arn.format({ service, resource: resource(ref.name), arnFormat: ArnFormat.NO_RESOURCE_NAME, ...(ref.region !== undefined ? { region: ref.region } : {}) }, stack);
}

/** A queue a module names by name, URL or ARN. */
function importQueue(scope: Construct, id: string, ref: ResourceManifest & { readonly fifo: boolean }): sqs.IQueue {
  const stack = Stack.of(scope);
  if (/^https?:\/\//.test(ref.ref)) {
    const account = new URL(ref.ref).pathname.split('/').filter((p) => p !== '')[0];
    const queueArn = Arn.format({ service: 'sqs', resource: ref.name, arnFormat: ArnFormat.NO_RESOURCE_NAME, ...(ref.region !== undefined ? { region: ref.region } : {}), ...(account !== undefined ? { account } : {}) }, stack);
    return sqs.Queue.fromQueueAttributes(scope, id, { queueArn, queueUrl: ref.ref, fifo: ref.fifo });
  }
  return sqs.Queue.fromQueueAttributes(scope, id, { queueArn: resourceArn(stack, 'sqs', ref, (name) => name), fifo: ref.fifo });
}

/** A queue an ingress names by name, URL or ARN. */
export { importQueue };
