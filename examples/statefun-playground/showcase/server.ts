/** The showcase's functions service: `node .build/server.js` after bundling (see README.md). */
import { serve } from '../serve.js';
import { showcaseFunctions } from './functions.js';

serve(showcaseFunctions());
