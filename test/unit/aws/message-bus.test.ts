import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batches, rounds } from '../../../runtime/aws/sqs/batches.js';
import { bundleBodies, decodeMessageBodies, decodeMessageBody, encodeMessageBody } from '../../../runtime/aws/sqs/envelope-body.js';
import { deduplicationIdFor } from '../../../runtime/aws/sqs/fifo-ids.js';
import { SqsFifoMessageBus } from '../../../runtime/aws/sqs/message-bus.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { controlMessage, functionMessage, ingressMessage, plain } from '../../contract/fixtures.js';

const NOW = Date.UTC(2026, 0, 1);
const sender = { typename: 'shop/cart', id: 'alice' };
const to = (id: string) => ({ typename: 'shop/stock', id });

describe('batching', () => {
  it('puts the k-th message of every group in round k', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];
    expect(rounds(items, (s) => s[0]!)).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('splits by entries and bytes, keeping order', () => {
    const items = Array.from({ length: 23 }, (_, i) => ({ i, bytes: 100 }));
    expect(batches(items).map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches(items, 10, 250).map((b) => b.length)).toEqual(Array(11).fill(2).concat([1]));
    expect(batches([{ bytes: 2_000_000 }, { bytes: 1 }]).map((b) => b.length)).toEqual([1, 1]);
  });
});

describe('envelope bodies', () => {
  it('are base64 protobuf and read back equal', () => {
    const m = functionMessage(sender, to('x'), 3, 1, NOW);
    const body = encodeMessageBody(m);
    expect(body).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(plain(decodeMessageBody(body))).toStrictEqual(plain(m));
  });

  it('that are not envelopes are refused with a TerminalError', () => {
    for (const body of ['not base64 !', 'AAAA', '{"json":true}']) {
      let error: unknown;
      try {
        decodeMessageBody(body);
      } catch (e) {
        error = e;
      }
      expect(isStatefunError(error, 'terminal'), body).toBe(true);
    }
  });
});

describe('SqsFifoMessageBus', () => {
  const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const sqs = mockClient(client);
  const bus = new SqsFifoMessageBus({ client, queueUrl: 'https://sqs/q.fifo', retry: { sleep: () => Promise.resolve() } });
  beforeEach(() => sqs.reset());

  it('sends one group per address, a dedup id from the envelope id, and nothing in attributes', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const m = functionMessage(sender, to('Zoë'), 1, 0, NOW);
    await bus.send([m, functionMessage(sender, to('bob'), 1, 1, NOW)]);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    const [first, second] = calls[0]!.args[0].input.Entries!;
    expect(first!.MessageGroupId).toMatch(/^h:/);
    expect(second!.MessageGroupId).toBe('shop/stock/bob');
    expect(first!.MessageDeduplicationId).toBe(deduplicationIdFor(m.id));
    expect(first!.MessageAttributes).toBeUndefined();
    expect(plain(decodeMessageBody(first!.MessageBody!))).toStrictEqual(plain(m));
  });

  it('sends the messages of one group one round after the other, so a failure never reorders them', async () => {
    const seen: string[][] = [];
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ MessageBody: string }> }) => {
      seen.push(input.Entries.map((e) => decodeMessageBody(e.MessageBody).id));
      return { Successful: [], Failed: [] };
    });
    // Unkeyed ingress messages never share an SQS message, so each takes a round of its own.
    const a = [0, 1, 2].map((i) => ingressMessage(to('a'), `k${i}`, NOW, false));
    const b = functionMessage(sender, to('b'), 1, 3, NOW);
    await bus.send([a[0]!, a[1]!, b, a[2]!]);
    expect(seen).toEqual([[a[0]!.id, b.id], [a[1]!.id], [a[2]!.id]]);
  });

  it('sends again the entries that failed before the next round', async () => {
    const seen: string[][] = [];
    let failOnce = true;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string; MessageBody: string }> }) => {
      seen.push(input.Entries.map((e) => decodeMessageBody(e.MessageBody).id));
      if (failOnce) {
        failOnce = false;
        return { Successful: [], Failed: [{ Id: input.Entries[1]!.Id, Code: 'InternalError', SenderFault: false }] };
      }
      return { Successful: [], Failed: [] };
    });
    const [a0, a1] = [0, 1].map((i) => ingressMessage(to('a'), `k${i}`, NOW, false));
    const b0 = ingressMessage(to('b'), 'k2', NOW, false);
    await bus.send([a0!, b0, a1!]);
    expect(seen).toEqual([[a0!.id, b0.id], [b0.id], [a1!.id]]);
  });

  it('fails with a RetryableError when entries keep failing, and a TerminalError for a sender fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'ThrottlingException', SenderFault: false }] });
    const m = functionMessage(sender, to('a'), 1, 0, NOW);
    const retryable = await bus.send([m]).catch((e: unknown) => e);
    expect(isStatefunError(retryable, 'retryable')).toBe(true);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });
    const terminal = await bus.send([m]).catch((e: unknown) => e);
    expect(isStatefunError(terminal, 'terminal')).toBe(true);
    expect((terminal as Error).message).toContain(m.id);
  });

  it('refuses a message over 1 MiB with a TerminalError naming it, before sending anything', async () => {
    const big = { ...functionMessage(sender, to('a'), 1, 0, NOW), argument: { typename: 'x/Blob', value: new Uint8Array(800_000) } };
    const error = await bus.send([functionMessage(sender, to('b'), 1, 1, NOW), big]).catch((e: unknown) => e);
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect((error as Error).message).toMatch(/^message shop\/cart\/alice#k0\.1\.0 to shop\/stock\/a is 10\d{5} bytes as an SQS body/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('bundles: messages of one turn to one address in one SQS message', () => {
  it('bundlesConsecutiveMessagesToOneAddressInOrderAndLeavesUnkeyedIngressAlone', () => {
    const a = [0, 1, 2].map((i) => functionMessage(sender, to('a'), 1, i, NOW));
    const b = functionMessage(sender, to('b'), 1, 3, NOW);
    const unkeyed = ingressMessage(to('a'), 'minted', NOW, false);
    const keyed = ingressMessage(to('a'), 'client-key', NOW, true);
    const control = controlMessage(to('a'), NOW);
    const parts = bundleBodies([a[0]!, b, a[1]!, unkeyed, a[2]!, keyed, control]);
    expect(parts.map((p) => p.envelopes.map((e) => e.id))).toEqual([[a[0]!.id, a[1]!.id], [b.id], [unkeyed.id], [a[2]!.id, keyed.id, control.id]]);
    for (const part of parts) expect(decodeMessageBodies(part.body).map((e) => e.id)).toEqual(part.envelopes.map((e) => e.id));
  });

  it('startsANewBundleWhenTheNextMessageWouldPassTheSizeLimit', () => {
    const big = (i: number) => functionMessage(sender, to('a'), 1, i, NOW, 'x'.repeat(300));
    const limit = encodeMessageBody(big(0)).length + 1 + encodeMessageBody(big(1)).length;
    const parts = bundleBodies([big(0), big(1), big(2)], limit);
    expect(parts.map((p) => p.envelopes.length)).toEqual([2, 1]);
    expect(parts.every((p) => p.body.length <= limit)).toBe(true);
  });

  it('sendsAMessageGivenTwiceInOneSendOnce', () => {
    const m = functionMessage(sender, to('a'), 1, 0, NOW);
    expect(bundleBodies([m, m]).map((p) => p.envelopes.map((e) => e.id))).toEqual([[m.id]]);
  });

  it('refusesABodyBundlingEnvelopesForDifferentAddresses', () => {
    const body = [encodeMessageBody(functionMessage(sender, to('a'), 1, 0, NOW)), encodeMessageBody(functionMessage(sender, to('b'), 1, 1, NOW))].join(',');
    expect(() => decodeMessageBodies(body)).toThrow(/different addresses/);
  });

  describe('SqsFifoMessageBus', () => {
    const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const sqs = mockClient(client);
    const bus = new SqsFifoMessageBus({ client, queueUrl: 'https://sqs/q.fifo', retry: { sleep: () => Promise.resolve() } });
    beforeEach(() => sqs.reset());

    it('sendsABurstOfTenToOneAddressAsOneEntryWhoseDedupIdIsTheSameOnEveryRelease', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      const burst = Array.from({ length: 10 }, (_, i) => functionMessage(sender, to('a'), 4, i, NOW));
      await bus.send(burst);
      await bus.send(burst);
      const calls = sqs.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(2);
      const [first] = calls[0]!.args[0].input.Entries!;
      expect(calls[0]!.args[0].input.Entries).toHaveLength(1);
      expect(decodeMessageBodies(first!.MessageBody!).map((e) => e.id)).toEqual(burst.map((e) => e.id));
      expect(calls[1]!.args[0].input.Entries![0]!.MessageDeduplicationId).toBe(first!.MessageDeduplicationId);
    });
  });
});
