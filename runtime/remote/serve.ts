import { describeError, isStatefunError, RetryableError, TerminalError, ValidationError } from '../core/errors.js';
import type { FunctionInvoker, InvocationRequest } from '../core/invocation.js';
import type { StateSpecDecl } from '../core/state-spec.js';
import { show } from '../core/typename.js';
import { embeddedInvoker } from '../sdk/embedded-invoker.js';
import type { FunctionDefinition } from '../sdk/function.js';
import { decodeToFunction, encodeFromFunction } from './codec.js';
import { describeAddress } from './wire.js';

/**
 * Serving TypeScript functions to a StateFun runtime (statefun-aws's remote invoker, or Apache Flink
 * StateFun itself) over the request-reply protocol. The same {@link FunctionDefinition} runs embedded or
 * remote unchanged: requests are run by {@link embeddedInvoker}.
 */

/**
 * Answers one serialized `ToFunction` with a serialized `FromFunction`. Rejects when there is no answer to
 * give; {@link httpStatusFor} says which HTTP status reports the rejection.
 *
 * @param deadline epoch ms by which the batch must be done; the function's own `timeout` applies too.
 */
export type RequestReplyHandler = (body: Uint8Array, deadline?: number) => Promise<Uint8Array>;

const statuses = new WeakMap<object, number>();

function withStatus<E extends Error>(error: E, status: number): E {
  statuses.set(error, status);
  return error;
}

/**
 * The HTTP status that reports a rejection of a {@link RequestReplyHandler}: 400 for a body that is not a
 * valid request, 404 for a function type not served here, 422 when the function failed for good (a
 * {@link TerminalError} or {@link ValidationError}: the runtime parks the address), 500 for any other
 * failure (the runtime retries).
 */
export function httpStatusFor(error: unknown): number {
  const known = typeof error === 'object' && error !== null ? statuses.get(error) : undefined;
  if (known !== undefined) return known;
  return isStatefunError(error, 'terminal') || isStatefunError(error, 'validation') ? 422 : 500;
}

interface Served {
  readonly definition: FunctionDefinition;
  readonly invoker: FunctionInvoker;
}

/**
 * Builds the request-reply handler for a set of function definitions.
 *
 * Like the official SDKs, it answers `IncompleteInvocationContext` without running user code when the
 * request lacks a declared state; states registered at run time (`ctx.state(...)`) are announced the same
 * way when first used. A batch fails or succeeds as a whole (the protocol has no partial results): when
 * message k fails, the handler rejects and the runtime retries, message by message if it wants.
 *
 * @example
 * const handle = createRequestReplyHandler([greeter, counter]);
 * http.createServer(createRequestReplyListener(handle)).listen(8000);
 */
export function createRequestReplyHandler(definitions: readonly FunctionDefinition[]): RequestReplyHandler {
  const served = new Map<string, Served>();
  for (const definition of definitions) {
    if (typeof definition?.typename !== 'string' || typeof definition.handler !== 'function') {
      throw new ValidationError(`createRequestReplyHandler takes function definitions (defineFunction(...)), got ${show(definition)}`);
    }
    if (served.has(definition.typename)) {
      throw new ValidationError(`createRequestReplyHandler: function type ${show(definition.typename)} is given twice`);
    }
    served.set(definition.typename, { definition, invoker: embeddedInvoker(definition) });
  }

  return async (body: Uint8Array, deadline = Number.POSITIVE_INFINITY): Promise<Uint8Array> => {
    let request: InvocationRequest;
    try {
      request = decodeToFunction(body);
    } catch (error) {
      throw withStatus(isStatefunError(error) ? (error as Error) : new TerminalError(describeError(error), { cause: error }), 400);
    }
    const entry = served.get(request.target.typename);
    if (entry === undefined) {
      throw withStatus(
        new TerminalError(`no function of type ${show(request.target.typename)} is served here (serving ${[...served.keys()].map((t) => show(t)).join(', ') || 'nothing'})`),
        404,
      );
    }
    const { definition, invoker } = entry;

    const sent = new Map(request.state.map((s) => [s.name, s]));
    const missing = definition.stateSpecs.filter((spec) => !sent.has(spec.name));
    if (missing.length > 0) return encodeFromFunction({ missing });
    request = withTypenames(request, definition.stateSpecs);

    const until = Math.min(deadline, Date.now() + definition.timeoutMs);
    // Each round types at least one more empty state, so this ends.
    for (let round = 0; round <= request.state.length; round++) {
      const outcome = await invoker.invoke(request, until - Date.now());
      if (outcome.kind === 'incomplete') {
        const typed = typeEmptyStates(request, outcome.missing);
        if (typed === undefined) return encodeFromFunction({ missing: outcome.missing });
        request = typed;
        continue;
      }
      if (outcome.completed < request.invocations.length) {
        const failure = outcome.failure;
        const message = `${describeAddress(request.target)} failed on message #${outcome.completed} of ${request.invocations.length}: ${describeError(failure)}`;
        throw isStatefunError(failure, 'terminal') || isStatefunError(failure, 'validation')
          ? withStatus(new TerminalError(message, { cause: failure }), 422)
          : withStatus(new RetryableError(message, { cause: failure }), 500);
      }
      return encodeFromFunction(outcome);
    }
    throw withStatus(new RetryableError(`${describeAddress(request.target)} kept asking for states it was sent`), 500);
  };
}

/**
 * StateFun sends empty states without a typename; give declared ones their declared type so that the
 * embedded invoker recognises them.
 */
function withTypenames(request: InvocationRequest, specs: readonly StateSpecDecl[]): InvocationRequest {
  if (!request.state.some((s) => s.typename === '')) return request;
  const declared = new Map(specs.map((s) => [s.name, s.typename]));
  return { ...request, state: request.state.map((s) => (s.typename === '' ? { ...s, typename: declared.get(s.name) ?? '' } : s)) };
}

/**
 * A state registered at run time and sent empty without a typename looks missing to the embedded invoker.
 * If every state it reports missing is such a one, returns the request with their types filled in.
 */
function typeEmptyStates(request: InvocationRequest, missing: readonly StateSpecDecl[]): InvocationRequest | undefined {
  const types = new Map(missing.map((spec) => [spec.name, spec.typename]));
  const untyped = new Set(request.state.filter((s) => s.value === undefined && s.typename === '').map((s) => s.name));
  if (![...types.keys()].every((name) => untyped.has(name))) return undefined;
  return { ...request, state: request.state.map((s) => (types.has(s.name) && untyped.has(s.name) ? { ...s, typename: types.get(s.name)! } : s)) };
}
