import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { awsCall } from '../aws-errors.js';
import { type EntryFailure, type EntryRetryOptions, sendWithEntryRetries } from '../entry-retries.js';

/** An entry to send, without its batch-local `Id` (assigned per request). */
export type BatchEntry = Omit<SendMessageBatchRequestEntry, 'Id'> & { readonly describe: string };

/**
 * One SendMessageBatch (≤ 10 entries, ≤ 1 MiB) with per-entry retries (see {@link sendWithEntryRetries}). The
 * entries must be of distinct FIFO groups, or of a standard queue: retried entries may go after others.
 */
export async function sendBatch(client: SQSClient, queueUrl: string, what: string, entries: readonly BatchEntry[], retry: EntryRetryOptions = {}): Promise<void> {
  await sendWithEntryRetries(
    what,
    entries,
    async (pending) => {
      const out = await awsCall(what, () =>
        client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map(({ describe: _describe, ...entry }, i) => ({ ...entry, Id: String(i) })),
          }),
        ),
      );
      return (out.Failed ?? []).map(
        (failed): EntryFailure => ({
          index: Number(failed.Id),
          code: failed.Code ?? 'Unknown',
          message: failed.Message,
          permanent: failed.SenderFault === true,
        }),
      );
    },
    (entry) => entry.describe,
    retry,
  );
}
