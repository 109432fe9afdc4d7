/**
 * A delivery to a schedule's target failed. `code` says how (`SQS.InvalidParameterValue`, `Lambda.HandlerFailed`)
 * and goes into the dead-letter message's `ERROR_CODE` attribute.
 */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}
