import { isUtf8 } from 'node:buffer';
import type { Address } from '../../core/address.js';
import type { TypedValue } from '../../core/typed-value.js';
import { parseFunctionTypeName, parseTypeName, show } from '../../core/typename.js';
import { PLAYGROUND_CONTENT_TYPE_PREFIX, PLAYGROUND_DEFAULT_TYPENAME } from '../../module/playground.js';
import { HttpError } from './http-util.js';

/** One playground ingress request as a message. */
export interface PlaygroundMessage {
  readonly target: Address;
  readonly argument: TypedValue;
}

const PREFIX_LENGTH = PLAYGROUND_CONTENT_TYPE_PREFIX.length;
const EMPTY = new Uint8Array(0);
const SLASH = 47;

/**
 * Maps a request to the playground ingress onto a message, as StateFun's playground does, with clearer errors:
 *
 * - the path `/<namespace>/<type>/<id>` is the target address (a trailing `/` and a query are ignored; each
 *   segment is percent-decoded, so an id may hold an encoded `/`); anything else is a 400;
 * - the typename is read from `Content-Type: application/vnd.<typename>` (parameters such as `; charset=…` are
 *   cut off); any other content type (or none) means `io.statefun.types/string`. A `vnd.` type that is not a
 *   typename is a 415;
 * - the body is the value's bytes, exactly as sent, for every typename except `io.statefun.types/string`: there
 *   the body is text (UTF-8, else 400) and becomes the value of a `StringWrapper`, which is what every StateFun
 *   SDK reads a string from. (StateFun's playground passes the raw text, which no SDK can read as a string.)
 *
 * @throws {HttpError} 400 or 415 naming the bad value.
 */
export function mapPlaygroundRequest(url: string, contentType: string | undefined, body: Uint8Array): PlaygroundMessage {
  const target = parseTarget(url);
  const typename = typenameOf(contentType);
  return { target, argument: { typename, value: typename === PLAYGROUND_DEFAULT_TYPENAME ? stringWrapper(body) : body } };
}

/** The address in a playground path. */
export function parseTarget(url: string): Address {
  const query = url.indexOf('?');
  let path = query < 0 ? url : url.slice(0, query);
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === SLASH) end--;
  if (end < path.length) path = path.slice(0, end);
  const first = path.indexOf('/', 1);
  const second = first < 0 ? -1 : path.indexOf('/', first + 1);
  if (path.charCodeAt(0) !== SLASH || first <= 1 || second <= first + 1 || second >= end - 1 || path.indexOf('/', second + 1) >= 0) {
    throw new HttpError(400, `invalid path ${show(path)}: please specify /<namespace>/<function type>/<function id>`);
  }
  const namespace = decode(path.slice(1, first), path);
  const name = decode(path.slice(first + 1, second), path);
  const id = decode(path.slice(second + 1, end), path);
  const typename = `${namespace}/${name}`;
  try {
    parseFunctionTypeName(typename);
  } catch (error) {
    throw new HttpError(400, `invalid path ${show(path)}: ${(error as Error).message}`);
  }
  return { typename, id };
}

function decode(segment: string, path: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `invalid path ${show(path)}: bad percent-encoding in ${show(segment)}`);
  }
}

/** The typename a Content-Type header names (see {@link mapPlaygroundRequest}). */
export function typenameOf(contentType: string | undefined): string {
  if (contentType === undefined || contentType.length <= PREFIX_LENGTH) return PLAYGROUND_DEFAULT_TYPENAME;
  if (contentType.slice(0, PREFIX_LENGTH).toLowerCase() !== PLAYGROUND_CONTENT_TYPE_PREFIX) return PLAYGROUND_DEFAULT_TYPENAME;
  const semicolon = contentType.indexOf(';', PREFIX_LENGTH);
  const typename = (semicolon < 0 ? contentType.slice(PREFIX_LENGTH) : contentType.slice(PREFIX_LENGTH, semicolon)).trim();
  try {
    parseTypeName(typename, 'typename');
  } catch {
    throw new HttpError(
      415,
      `content type ${show(contentType)} does not name a typename: use application/vnd.<namespace>/<name>, e.g. application/vnd.example/GreetRequest`,
    );
  }
  return typename;
}

/** `StringWrapper { string value = 1 }` around UTF-8 bytes; empty for an empty body (proto3 zero value). */
export function stringWrapper(text: Uint8Array): Uint8Array {
  if (text.length === 0) return EMPTY;
  if (!isUtf8(text)) throw new HttpError(400, `the body of an ${PLAYGROUND_DEFAULT_TYPENAME} message must be UTF-8 text`);
  let size = text.length;
  let header = 2;
  while (size >= 0x80) {
    size >>>= 7;
    header++;
  }
  const out = new Uint8Array(header + text.length);
  out[0] = 0x0a;
  let pos = 1;
  let length = text.length;
  while (length >= 0x80) {
    out[pos++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  out[pos++] = length;
  out.set(text, pos);
  return out;
}
