/**
 * Credentials for talking to the local emulators. They check no signatures, but the SDK clients sign every
 * request and fail without credentials; these keep them from looking for real ones.
 */
export const EMULATOR_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

/** The region the emulators are used with unless told otherwise. */
export const EMULATOR_REGION = 'us-east-1';
