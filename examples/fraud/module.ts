import { defineModule } from 'statefun-aws';
import { functions } from './functions.js';

/**
 * The fraud app's embedded functions. `statefun dev examples/fraud` loads this module and module.yaml next to
 * it, which declares the playground ingress and egress.
 */
export default defineModule({
  name: 'fraud',
  configure(_config, binder) {
    for (const fn of functions) binder.bindFunction(fn);
  },
});
