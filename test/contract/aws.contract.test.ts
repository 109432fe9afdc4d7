import { useAwsEmulators } from '../support/emulators.js';
import { awsContractBackend } from './aws-backend.js';
import { describePortContract } from './port-contract.js';

const emulators = useAwsEmulators();

describePortContract('AWS adapters on the emulators (DynamoDB Local, SQS, Scheduler)', () => awsContractBackend(emulators()));
