/** The greeter's functions service: `node .build/server.js` after bundling (see README.md). */
import { serve } from '../serve.js';
import { greeterFunctions } from './functions.js';

serve(greeterFunctions());
