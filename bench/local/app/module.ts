import { defineModule } from 'statefun-aws';
import { counter } from './functions.js';

export default defineModule((_config, binder) => {
  binder.bindFunction(counter);
});
