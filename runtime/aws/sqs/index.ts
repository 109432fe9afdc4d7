/** The SQS FIFO message bus and the pieces shared with the delay scheduler and the SQS egress. */
export { batches, MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, rounds } from './batches.js';
export { checkedMessageBody, decodeMessageBody, encodeMessageBody, MAX_SQS_MESSAGE_BYTES } from './envelope-body.js';
export { deduplicationIdFor, MAX_FIFO_ID_LENGTH, messageGroupIdFor } from './fifo-ids.js';
export { SqsFifoMessageBus, type SqsMessageBusOptions } from './message-bus.js';
export { SqsQueueControl, type VisibilityChange } from './queue-control.js';

/** SQS actions of the bus (on the FIFO queue) and of the queue control. SendMessageBatch is authorised as SendMessage. */
export const SQS_BUS_ACTIONS = ['sqs:SendMessage'] as const;
export const SQS_QUEUE_CONTROL_ACTIONS = ['sqs:ChangeMessageVisibility'] as const;
