import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import type { HttpTlsOptions } from './endpoint-options.js';

/** StateFun's TLS transport keys: paths of PEM files (and of a file holding the key password). */
export interface TlsFiles {
  /** `trust_cacerts` */
  readonly trustCaCerts?: string;
  /** `client_cert` */
  readonly clientCert?: string;
  /** `client_key` */
  readonly clientKey?: string;
  /** `client_key_password`: a file whose contents (without a trailing newline) are the password. */
  readonly clientKeyPassword?: string;
}

/**
 * Reads the files StateFun's transport keys name into {@link HttpTlsOptions}. `~/` is the home folder;
 * relative paths are relative to `baseDir` (e.g. the folder of module.yaml). `classpath:` locations (a Java
 * notion) are refused with a {@link ValidationError}, as is a file that cannot be read.
 */
export async function readTlsFiles(files: TlsFiles, baseDir = process.cwd()): Promise<HttpTlsOptions> {
  const read = async (key: keyof TlsFiles, location: string | undefined): Promise<string | undefined> => {
    if (location === undefined) return undefined;
    if (location.startsWith('classpath:')) {
      throw new ValidationError(`${key} ${show(location)}: classpath: locations are a Java notion; give a file path`);
    }
    const path = location.startsWith('~/') ? join(homedir(), location.slice(2)) : location.startsWith('/') ? location : join(baseDir, location);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new ValidationError(`${key} ${show(location)} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  };
  const [trustCaCerts, clientCert, clientKey, password] = await Promise.all([
    read('trustCaCerts', files.trustCaCerts),
    read('clientCert', files.clientCert),
    read('clientKey', files.clientKey),
    read('clientKeyPassword', files.clientKeyPassword),
  ]);
  return {
    ...(trustCaCerts !== undefined ? { trustCaCerts } : {}),
    ...(clientCert !== undefined ? { clientCert } : {}),
    ...(clientKey !== undefined ? { clientKey } : {}),
    ...(password !== undefined ? { clientKeyPassword: password.replace(/\r?\n$/, '') } : {}),
  };
}
