/** The shopping cart's functions service: `node .build/server.js` after bundling (see README.md). */
import { serve } from '../serve.js';
import { shoppingCartFunctions } from './functions.js';

serve(shoppingCartFunctions());
