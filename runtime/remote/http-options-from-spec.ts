import type { HttpTransportSpec } from '../module/endpoint.js';
import type { HttpEndpointOptions } from './endpoint-options.js';
import type { InFlightLimiter } from './in-flight-limiter.js';
import { readTlsFiles } from './tls-files.js';

/**
 * The client options of an `io.statefun.endpoints.v1|v2/http` endpoint's transport, its TLS files read.
 * `inFlight` caps remote calls across every endpoint of the runtime (StateFun's `max-per-task`).
 */
export async function httpOptionsFromSpec(transport: HttpTransportSpec, inFlight?: InFlightLimiter): Promise<HttpEndpointOptions> {
  const { tls } = transport;
  const files = {
    ...(tls.trustCaCerts !== undefined ? { trustCaCerts: tls.trustCaCerts } : {}),
    ...(tls.clientCert !== undefined ? { clientCert: tls.clientCert } : {}),
    ...(tls.clientKey !== undefined ? { clientKey: tls.clientKey } : {}),
    ...(tls.clientKeyPassword !== undefined ? { clientKeyPassword: tls.clientKeyPassword } : {}),
  };
  return {
    urlPathTemplate: transport.url.template,
    callTimeoutMs: transport.callTimeoutMs,
    connectTimeoutMs: transport.connectTimeoutMs,
    readTimeoutMs: transport.readTimeoutMs,
    writeTimeoutMs: transport.writeTimeoutMs,
    poolTtlMs: transport.poolTtlMs,
    poolSize: transport.poolSize,
    payloadMaxBytes: transport.payloadMaxBytes,
    ...(inFlight !== undefined ? { inFlight } : {}),
    ...(Object.keys(files).length > 0 ? { tls: await readTlsFiles(files) } : {}),
  };
}
