/**
 * The admin API of a running `statefun dev`, spoken over a Unix socket in its data directory (never a TCP
 * port): what the `statefun send|state|parked` commands use. JSON over HTTP; errors are plain text with a
 * 4xx/5xx status. Values travel as base64 with their typename; clients decode them.
 *
 * - `GET  /v1/status` → {@link StatusView}
 * - `POST /v1/messages` {@link SendRequest} → {@link SendResult}
 * - `GET  /v1/state?address=<ns/type/id>` → {@link StateView}
 * - `GET  /v1/parked` → {@link ParkedSummary}[]
 * - `GET  /v1/parked/letters?address=<ns/type/id>` → {@link ParkedDetail} (404 when not parked)
 * - `POST /v1/parked/replay?address=<ns/type/id>` → {@link ControlResult}
 * - `POST /v1/parked/skip?address=<ns/type/id>[&message=<id>]` → {@link ControlResult}
 * - `POST /v1/reload` → {@link ReloadResult}
 * - `GET  /v1/metrics` → latency percentiles (ms) per function type: `delivered` (entering the system to the
 *   handler starting: ingress-to-handler for ingress messages) and `invocation`, plus counters
 * - `POST /v1/metrics/reset` → starts the measurement again
 */

/** File in the data directory that says where a running dev server's admin socket is. */
export const ADMIN_FILE = 'admin.json';

/** Contents of {@link ADMIN_FILE}. */
export interface AdminEndpoint {
  readonly pid: number;
  readonly socket: string;
  readonly startedAt: number;
}

export interface StatusView {
  readonly pid: number;
  readonly dataDir: string;
  readonly app: readonly string[];
  readonly startedAt: number;
  /** Bound function types and patterns, one line each. */
  readonly functions: readonly string[];
  /** Embedded function types with the typename they accept, if declared. */
  readonly accepts: Readonly<Record<string, string | null>>;
  readonly ingresses: readonly string[];
  readonly egresses: readonly string[];
  /** Code generation: 1 at start, +1 per successful reload. */
  readonly generation: number;
}

export interface SendRequest {
  /** `namespace/name/id`. */
  readonly address: string;
  readonly typename: string;
  readonly base64: string;
  readonly idempotencyKey?: string;
}

export interface SendResult {
  readonly messageId: string;
  readonly duplicate: boolean;
  /** True when the message only waits in the data directory (no dev server ran to process it). */
  readonly queued: boolean;
}

export interface StoredValueView {
  readonly name: string;
  readonly typename: string;
  readonly base64: string;
  /** Epoch ms, if the value expires. */
  readonly expiresAt?: number;
}

export interface StateView {
  readonly address: string;
  /** 0 when the address never committed a turn. */
  readonly version: number;
  readonly values: readonly StoredValueView[];
  /** Delayed messages the address sent that are still pending. */
  readonly pendingTimers: number;
  /** Messages waiting in its mailbox. */
  readonly queued: number;
  readonly parked?: { readonly since: number; readonly reason: string; readonly messageId: string };
}

export interface ParkedSummary {
  readonly address: string;
  readonly since: number;
  readonly reason: string;
  readonly messageId: string;
  readonly letters: number;
}

export interface LetterView {
  readonly messageId: string;
  readonly cause: string;
  readonly at: number;
  readonly attempts: number;
  /** Where it came from: `ingress`, `function <ns/type/id>`, `timer`. */
  readonly from: string;
  readonly typename: string;
  readonly base64: string;
}

export interface ParkedDetail extends ParkedSummary {
  readonly letterList: readonly LetterView[];
}

export interface ControlResult {
  readonly address: string;
  readonly command: 'replay' | 'skip';
  /** Still parked after the command ran (with the new reason), or undefined when it is flowing again. */
  readonly stillParked?: string;
  /** True when the command only waits in the data directory (no dev server ran to process it). */
  readonly queued: boolean;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly generation: number;
  readonly message: string;
}
