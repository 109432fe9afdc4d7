import { ValidationError } from '../runtime/core/errors.js';
import { show } from '../runtime/core/typename.js';
import {
  type AppModel,
  describeSource,
  EGRESS_KINDS,
  type EgressSpec,
  formatPattern,
  formatWarning,
  type HttpAuth,
  INGRESS_KINDS,
  type IngressSpec,
  lambdaFunctionName,
  type LambdaTransportSpec,
} from '../runtime/module/index.js';

/**
 * What the CDK constructs need to know of an app, read from its composed model at synth time: which
 * ingresses to front, which egress resources to grant, which remote Lambda functions to allow. Plain JSON,
 * so that an app with embedded TypeScript modules can be composed in a child process and handed back.
 */
export interface AppManifest {
  /** Function types of the embedded (bundled) functions. */
  readonly functions: readonly string[];
  /** Remote function endpoints. */
  readonly endpoints: readonly EndpointManifest[];
  readonly httpIngresses: readonly HttpIngressManifest[];
  readonly sqsIngresses: readonly SqsIngressManifest[];
  /** Egresses deliverable on AWS (the playground egress when bound to a queue). */
  readonly egresses: readonly EgressManifest[];
  /** Components for `statefun dev` only (file egresses): not deployed. */
  readonly localOnly: readonly ComponentManifest[];
  /** The app's warnings, one line each. */
  readonly warnings: readonly string[];
}

/** A component, for messages: its id, kind and where it was declared. */
export interface ComponentManifest {
  readonly id: string;
  readonly kind: string;
  /** `module.yaml, document 2 (io.statefun-aws.sqs.v1/egress)`. */
  readonly source: string;
}

export interface EndpointManifest {
  /** `shop/cart` or `shop/*`. */
  readonly functions: string;
  readonly source: string;
  /** Lambda functions the dispatcher invokes; empty for HTTP endpoints. */
  readonly lambdaFunctions: readonly LambdaFunctionTarget[];
}

/** A Lambda function a remote endpoint names. `*` stands for any name where the spec has `{function.name}`. */
export interface LambdaFunctionTarget {
  /** A name, a partial ARN (`123456789012:function:name`) or a full ARN, without qualifier. */
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly region: string | undefined;
}

/** An `io.statefun-aws.http.v1/ingress`, or the playground ingress (address in the path at `/`, IAM authorization). */
export interface HttpIngressManifest extends ComponentManifest {
  /** `/` or `/segment…`. */
  readonly basePath: string;
  readonly auth: HttpAuth;
  /** Declared routes; empty: address-in-path routing (`POST|PUT <basePath>/{namespace}/{type}/{id}`). */
  readonly routes: readonly { readonly method: string; readonly path: string }[];
}

/** A queue, topic, bus or stream as a spec names it. */
export interface ResourceManifest {
  /** As written: a name, URL or ARN. */
  readonly ref: string;
  readonly name: string;
  readonly region: string | undefined;
}

export interface SqsIngressManifest extends ComponentManifest {
  readonly queue: ResourceManifest & { readonly fifo: boolean };
  readonly batchSize: number;
}

export type EgressManifest =
  | (ComponentManifest & { readonly type: 'sqs'; readonly queue: ResourceManifest & { readonly fifo: boolean } })
  | (ComponentManifest & { readonly type: 'sns'; readonly topic: ResourceManifest & { readonly fifo: boolean } })
  | (ComponentManifest & { readonly type: 'eventbridge'; readonly bus: ResourceManifest })
  /** `stream` undefined: records name their own streams (StateFun `KinesisEgressRecord`s). */
  | (ComponentManifest & { readonly type: 'kinesis'; readonly stream: ResourceManifest | undefined })
  | (ComponentManifest & { readonly type: 'log' })
  /** StateFun's playground egress: deliverable on AWS only to an SQS queue the stack binds it to. */
  | (ComponentManifest & { readonly type: 'playground' });

/** Stands in for `{function.name}` while a Lambda function pattern is validated; becomes `*`. */
const WILDCARD_NAME = 'statefunwildcard0';

function component(spec: IngressSpec | EgressSpec): ComponentManifest {
  return { id: spec.id, kind: spec.kind, source: describeSource(spec.source) };
}

function resource(ref: { readonly ref: string; readonly name: string; readonly region: string | undefined }): ResourceManifest {
  return { ref: ref.ref, name: ref.name, region: ref.region };
}

function lambdaTargets(transport: LambdaTransportSpec, pattern: string): LambdaFunctionTarget[] {
  const exact = !pattern.endsWith('/*');
  const typename = exact ? pattern : `${pattern.slice(0, -2)}/${WILDCARD_NAME}`;
  const parsed = lambdaFunctionName(transport, typename);
  const functionName = exact ? parsed.functionName : parsed.functionName.replaceAll(WILDCARD_NAME, '*');
  return [{ functionName, qualifier: parsed.qualifier, region: parsed.region }];
}

/**
 * Reads the deployable shape of a composed app. Throws a {@link ValidationError} naming the component for
 * what cannot run on AWS: StateFun's Kafka and Kinesis ingresses and egresses (use the `io.statefun-aws.*`
 * kinds), and HTTP endpoints over Unix sockets.
 */
export function appManifest(app: AppModel): AppManifest {
  const httpIngresses: HttpIngressManifest[] = [];
  const sqsIngresses: SqsIngressManifest[] = [];
  const egresses: EgressManifest[] = [];
  const localOnly: ComponentManifest[] = [];
  const cannot = (spec: IngressSpec | EgressSpec, instead: string): never => {
    throw new ValidationError(
      `${describeSource(spec.source)}: ${show(spec.id)} of kind ${spec.kind} cannot be deployed on AWS; ${instead}`,
    );
  };

  for (const ingress of app.ingresses.values()) {
    switch (ingress.kind) {
      case INGRESS_KINDS.http:
        httpIngresses.push({
          ...component(ingress),
          basePath: ingress.basePath,
          auth: ingress.auth,
          routes: ingress.routes.map((r) => ({ method: r.method, path: r.path })),
        });
        break;
      case INGRESS_KINDS.sqs:
        sqsIngresses.push({ ...component(ingress), queue: { ...resource(ingress.queue), fifo: ingress.queue.fifo }, batchSize: ingress.batchSize });
        break;
      case INGRESS_KINDS.playground:
        // Served like an HTTP ingress without routes (the HTTP ingress handler routes it as the playground does),
        // behind IAM authorization: the playground has no auth setting, and "none" must be asked for explicitly.
        httpIngresses.push({ ...component(ingress), basePath: '/', auth: { type: 'iam' }, routes: [] });
        break;
      default:
        cannot(ingress, `use ${INGRESS_KINDS.sqs} or ${INGRESS_KINDS.http}`);
    }
  }

  for (const egress of app.egresses.values()) {
    switch (egress.kind) {
      case EGRESS_KINDS.sqs:
        egresses.push({ ...component(egress), type: 'sqs', queue: { ...resource(egress.queue), fifo: egress.queue.fifo } });
        break;
      case EGRESS_KINDS.sns:
        egresses.push({ ...component(egress), type: 'sns', topic: { ...resource(egress.topic), fifo: egress.topic.fifo } });
        break;
      case EGRESS_KINDS.eventbridge:
        egresses.push({ ...component(egress), type: 'eventbridge', bus: resource(egress.bus) });
        break;
      case EGRESS_KINDS.awsKinesis:
        egresses.push({ ...component(egress), type: 'kinesis', stream: egress.stream === undefined ? undefined : resource(egress.stream) });
        break;
      case EGRESS_KINDS.log:
        egresses.push({ ...component(egress), type: 'log' });
        break;
      case EGRESS_KINDS.playground:
        egresses.push({ ...component(egress), type: 'playground' });
        break;
      case EGRESS_KINDS.file:
        localOnly.push(component(egress));
        break;
      default:
        cannot(egress, `use ${EGRESS_KINDS.awsKinesis}, ${EGRESS_KINDS.sqs}, ${EGRESS_KINDS.sns} or ${EGRESS_KINDS.eventbridge}`);
    }
  }

  const endpoints = app.endpoints.map((endpoint): EndpointManifest => {
    const functions = formatPattern(endpoint.functions);
    const source = describeSource(endpoint.source);
    const { transport } = endpoint;
    if (transport.kind === 'http' && transport.url.scheme.endsWith('+unix')) {
      throw new ValidationError(
        `${source}: endpoint ${show(functions)} is reached over a Unix socket (${show(transport.url.template)}), which a Lambda function cannot do; give it an http(s) URL`,
      );
    }
    return { functions, source, lambdaFunctions: transport.kind === 'lambda' ? lambdaTargets(transport, functions) : [] };
  });

  return {
    functions: [...app.functions.keys()],
    endpoints,
    httpIngresses,
    sqsIngresses,
    egresses,
    localOnly,
    warnings: app.warnings.map(formatWarning),
  };
}
