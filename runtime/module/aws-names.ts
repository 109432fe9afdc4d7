import { show } from '../core/typename.js';
import type { SpecValue } from './spec-reader.js';

/**
 * References to AWS resources in specs, validated against AWS's naming rules so that a typo fails at load,
 * not at deploy time. A resource may be named by name, by URL (queues) or by ARN.
 */

/** An SQS queue, SNS topic, Kinesis stream or EventBridge bus as a spec names it. */
export interface ResourceRef {
  /** As written: a name, a queue URL or an ARN. */
  readonly ref: string;
  /** The resource's name, e.g. `orders.fifo`. */
  readonly name: string;
  /** The region in an ARN or an AWS queue URL; undefined for a bare name. */
  readonly region: string | undefined;
}

/** A queue or topic; FIFO when its name ends in `.fifo` (AWS's rule). */
export interface FifoCapableRef extends ResourceRef {
  readonly fifo: boolean;
}

const REGION = /^[a-z]{2,}(-[a-z]+)+-\d+$/;
const PARTITION = 'aws[a-z-]*';

/** An AWS region such as `eu-west-1`. */
export function readRegion(value: SpecValue): string {
  const region = value.string();
  if (!REGION.test(region)) value.fail(`must be an AWS region such as "eu-west-1", got ${show(region)}`);
  return region;
}

function readArnOrName(
  value: SpecValue,
  service: string,
  resourcePrefix: string,
  namePattern: RegExp,
  describe: string,
): ResourceRef {
  const ref = value.string();
  let name = ref;
  let region: string | undefined;
  if (ref.startsWith('arn:')) {
    const arn = new RegExp(`^arn:${PARTITION}:${service}:([a-z0-9-]+):(\\d{12}):${resourcePrefix}(.+)$`).exec(ref);
    if (arn === null) value.fail(`is not an ARN of ${describe}: ${show(ref)}`);
    region = arn[1];
    name = arn[3]!;
  }
  if (!namePattern.test(name)) value.fail(`is not a valid name of ${describe}: ${show(name)}`);
  return { ref, name, region };
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$|^[A-Za-z0-9_-]{1,80}$/;

/**
 * An SQS queue by name (`orders.fifo`), URL (`https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo`,
 * or an emulator's `http://localhost:9324/000000000000/orders.fifo`) or ARN.
 */
export function readQueue(value: SpecValue): FifoCapableRef {
  const ref = value.string();
  if (/^https?:\/\//.test(ref)) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      return value.fail(`is not a queue URL: ${show(ref)}`);
    }
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const name = parts[1];
    if (parts.length !== 2 || name === undefined || !QUEUE_NAME.test(name)) {
      value.fail(`is not a queue URL of the form https://sqs.<region>.amazonaws.com/<account>/<queue name>: ${show(ref)}`);
    }
    const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1];
    return { ref, name, region, fifo: name.endsWith('.fifo') };
  }
  const parsed = readArnOrName(value, 'sqs', '', QUEUE_NAME, 'an SQS queue (1 to 80 letters, digits, "-", "_", FIFO queues ending in ".fifo")');
  return { ...parsed, fifo: parsed.name.endsWith('.fifo') };
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}(\.fifo)?$|^[A-Za-z0-9_-]{1,256}$/;

/** An SNS topic by name or ARN. */
export function readTopic(value: SpecValue): FifoCapableRef {
  const parsed = readArnOrName(value, 'sns', '', TOPIC_NAME, 'an SNS topic (1 to 256 letters, digits, "-", "_", FIFO topics ending in ".fifo")');
  return { ...parsed, fifo: parsed.name.endsWith('.fifo') };
}

/** An EventBridge event bus by name or ARN. */
export function readEventBus(value: SpecValue): ResourceRef {
  return readArnOrName(value, 'events', 'event-bus/', /^[/.\-_A-Za-z0-9]{1,256}$/, 'an EventBridge event bus');
}

/** A Kinesis data stream by name or ARN. */
export function readStream(value: SpecValue): ResourceRef {
  return readArnOrName(value, 'kinesis', 'stream/', /^[A-Za-z0-9_.-]{1,128}$/, 'a Kinesis data stream (1 to 128 letters, digits, ".", "-", "_")');
}

/** Checks that a region written next to an ARN or URL agrees with it; returns the region to use. */
export function agreeingRegion(value: SpecValue | undefined, region: string | undefined, ref: ResourceRef): string | undefined {
  if (value === undefined) return ref.region;
  if (ref.region !== undefined && ref.region !== region) {
    value.fail(`is ${show(region)}, but ${show(ref.ref)} is in ${show(ref.region)}`);
  }
  return region;
}
