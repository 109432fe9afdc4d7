/**
 * Entry script: runs the SQS emulator in this process until SIGTERM/SIGINT.
 *
 *     node sqs-emulator-main.js [--port 4566] [--region us-east-1]
 *
 * Prints `emulator-ready {"endpoint":…,"port":…,"pid":…}` once it listens on 127.0.0.1.
 */
import { announceReady, entryOptions, portOption, stopOnSignal } from './entry-protocol.js';
import { startSqsEmulator } from './sqs-emulator.js';

const options = entryOptions(['port', 'region']);
const emulator = await startSqsEmulator({
  port: portOption(options.port),
  ...(options.region === undefined ? {} : { region: options.region }),
});
stopOnSignal(() => emulator.stop());
announceReady(emulator.endpoint, emulator.port);
