/**
 * Entry script: runs the Scheduler emulator in this process (wall clock) until SIGTERM/SIGINT.
 *
 *     node scheduler-emulator-main.js --sqs-endpoint http://127.0.0.1:4566 [--port 0] [--data-dir DIR] [--region us-east-1]
 *
 * Prints `emulator-ready {"endpoint":…,"port":…,"pid":…}` once it listens on 127.0.0.1.
 */
import { announceReady, entryOptions, portOption, stopOnSignal } from '../entry-protocol.js';
import { startSchedulerEmulator } from './scheduler-emulator.js';

const options = entryOptions(['port', 'data-dir', 'sqs-endpoint', 'region']);
const emulator = await startSchedulerEmulator({
  port: portOption(options.port),
  ...(options['data-dir'] === undefined ? {} : { dataDir: options['data-dir'] }),
  ...(options['sqs-endpoint'] === undefined ? {} : { sqsEndpoint: options['sqs-endpoint'] }),
  ...(options.region === undefined ? {} : { region: options.region }),
});
stopOnSignal(() => emulator.stop());
announceReady(emulator.endpoint, emulator.port);
