/**
 * Credentials for talking to the local emulators: they check no signatures, but the SDK clients sign every
 * request and would otherwise look for real credentials. A fresh object per call, since clients annotate the
 * object they are given.
 */
export function emulatorCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

/** The region the emulators are used with unless told otherwise. */
export const EMULATOR_REGION = 'us-east-1';
