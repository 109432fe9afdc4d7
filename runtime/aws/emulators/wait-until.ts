/** Options of {@link waitUntil}. */
export interface WaitUntilOptions {
  /** Names what is awaited, for the timeout error, e.g. `"DynamoDB Local on port 8000"`. */
  readonly what: string;
  readonly timeoutMs: number;
  /** Pause between probes. @default 50 */
  readonly intervalMs?: number;
  /** Checked before each probe: a reason to give up at once (e.g. the process exited), or undefined. */
  readonly abortReason?: () => string | undefined;
}

/**
 * Calls `probe` until it resolves `true`, then returns. A probe that throws counts as "not yet". Rejects when
 * `abortReason` names a reason, or after `timeoutMs`, with the last probe error as the cause.
 */
export async function waitUntil(probe: () => Promise<boolean>, options: WaitUntilOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.abortReason?.();
    if (reason !== undefined) throw new Error(`${options.what} did not come up: ${reason}`, { cause: lastError });
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${options.what} did not answer within ${options.timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
