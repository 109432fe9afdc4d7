import { ValidationError } from '../core/errors.js';
import { parseTypeName, show } from '../core/typename.js';

/** Where one request goes: a host and port, or a Unix domain socket; the request path; TLS or not. */
export interface HttpTarget {
  readonly tls: boolean;
  /** Host name or IP (brackets removed for IPv6); `localhost` for Unix sockets. */
  readonly host: string;
  /** Port; undefined for Unix sockets. */
  readonly port: number | undefined;
  /** Path of the socket file for `http+unix` / `https+unix`. */
  readonly socketPath: string | undefined;
  /** Request path and query, e.g. `/statefun/greeter?x=1`. */
  readonly path: string;
  /** The URL for messages, e.g. `http://127.0.0.1:8000/greeter`. */
  readonly display: string;
}

export const FUNCTION_NAME_PLACEHOLDER = '{function.name}';

/**
 * Builds the URL for a function type from a StateFun `urlPathTemplate`: `{function.name}` becomes the name
 * part of the typename (URI-encoded). Throws a {@link ValidationError} naming the template when the result
 * is not a usable http(s) or http(s)+unix URL.
 */
export function resolveTarget(template: string, functionType: string): HttpTarget {
  const { name } = parseTypeName(functionType, 'function type');
  const text = template.split(FUNCTION_NAME_PLACEHOLDER).join(encodeURIComponent(name));
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ValidationError(`urlPathTemplate ${show(template)} does not give a valid URL for ${functionType}: ${show(text)}`, { cause: error });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError(`urlPathTemplate ${show(template)}: credentials in the URL are not supported`);
  }
  if (scheme === 'http' || scheme === 'https') {
    const tls = scheme === 'https';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
    return { tls, host, port, socketPath: undefined, path: `${url.pathname}${url.search}`, display: `${url.origin}${url.pathname}${url.search}` };
  }
  if (scheme === 'http+unix' || scheme === 'https+unix') {
    if (url.host !== '') {
      throw new ValidationError(
        `urlPathTemplate ${show(template)}: write Unix socket URLs with three slashes, e.g. ${scheme}:///run/functions.sock/${name}`,
      );
    }
    const segments = url.pathname.split('/');
    const sock = segments.findIndex((s) => s.endsWith('.sock'));
    if (sock < 0) {
      throw new ValidationError(`urlPathTemplate ${show(template)}: a ${scheme} URL needs a socket file ending in .sock, e.g. ${scheme}:///run/functions.sock/${name}`);
    }
    const socketPath = decodeURIComponent(segments.slice(0, sock + 1).join('/'));
    const rest = segments.slice(sock + 1).join('/');
    const path = `/${rest}${url.search}`;
    return { tls: scheme === 'https+unix', host: 'localhost', port: undefined, socketPath, path, display: `${scheme}://${socketPath}:${path}` };
  }
  throw new ValidationError(`urlPathTemplate ${show(template)}: scheme ${show(scheme)} is not supported; use http, https, http+unix or https+unix`);
}
