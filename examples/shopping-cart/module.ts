import { defineModule } from 'statefun-aws';
import { functions } from './functions.js';

/**
 * The shopping cart app's embedded functions. `statefun dev examples/shopping-cart` loads this module and
 * module.yaml next to it, which declares the playground ingress and egress.
 */
export default defineModule({
  name: 'shopping-cart',
  configure(_config, binder) {
    for (const fn of functions) binder.bindFunction(fn);
  },
});
