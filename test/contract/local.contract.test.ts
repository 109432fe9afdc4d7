import { localContractBackend } from './local-backend.js';
import { describePortContract } from './port-contract.js';

describePortContract('embedded backend', localContractBackend);
