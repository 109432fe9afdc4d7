import { defineModule } from 'statefun-aws';
import { onboardingFunction } from './functions.js';

/**
 * The onboarding app's embedded function. `statefun dev examples/onboarding` loads this module and
 * module.yaml next to it, which declares the playground ingress and egress.
 *
 * Nobody waits three days on their laptop: the delays come from the configuration, e.g.
 * `statefun dev examples/onboarding -- --onboarding.first-reminder "20 s" --onboarding.last-reminder "20 s"`.
 */
export default defineModule({
  name: 'onboarding',
  configure(config, binder) {
    const first = config.durationMs('onboarding.first-reminder', { default: { days: 3 } });
    const last = config.durationMs('onboarding.last-reminder', { default: { days: 4 } });
    binder.bindFunction(onboardingFunction({ reminderDelays: [{ milliseconds: first }, { milliseconds: last }] }));
  },
});
