import { defineModule } from 'statefun-aws';
import { counter, timer } from './functions.js';

export default defineModule((_config, binder) => {
  binder.bindFunction(counter);
  binder.bindFunction(timer);
});
