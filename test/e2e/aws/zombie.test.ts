/**
 * The visibility timeout expires while the first worker still runs: the message is delivered again to another
 * worker, which commits; the first one — a zombie by then — commits late and is fenced off by the conditional
 * write (DESIGN I1). Nothing applies twice, nothing is lost.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, type MetricName, type MetricsPublisher, type MetricValues } from '../../../runtime/aws/observability.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { counterApp, type ReceivedRecord } from '../../integration/functions/counter-app.js';
import { type StartedApp, startOnEmulators } from '../../integration/functions/support.js';
import { expectExactlyOnce, Model, sendWorkload } from './workload.js';

const emulators = useAwsEmulators();

class Collected implements MetricsPublisher {
  readonly totals = new Map<MetricName, number>();
  publish(_functionType: string, metrics: ReadonlyMap<MetricName, MetricValues>): void {
    for (const [name, { values }] of metrics) this.totals.set(name, (this.totals.get(name) ?? 0) + values.reduce((a, b) => a + b, 0));
  }
}

describe('a worker outliving its visibility timeout', () => {
  const prefix = `z-${randomUUID().slice(0, 8)}`;
  const metrics = new Collected();
  const received: ReceivedRecord[] = [];
  let app: StartedApp;

  beforeAll(async () => {
    app = await startOnEmulators(await counterApp(prefix), emulators(), {
      prefix,
      // Records come back after 2 s; a slow turn takes 5 s, so another worker gets them meanwhile.
      visibilityTimeoutSeconds: 2,
      functionTimeoutMs: 20_000,
      concurrency: 4,
      handlerOptions: { metrics },
    });
  });
  afterAll(async () => app?.stop());

  it('fencesOffTheZombieCommitAndAppliesEveryMessageOnce', async () => {
    const model = new Model();
    for (let i = 0; i < 3; i++) {
      const id = `zombie-${i}`;
      model.send(id, { op: 'slow', ms: 5_000, n: 1, ref: `${id}:slow` });
      model.send(id, { op: 'add', n: 10, ref: `${id}:after` });
    }
    const workload = model.workload();
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    // Each slow record was received again while its first worker slept; the late commits lost the race.
    expect(app.local.pollers.get('dispatcher')!.stats.records).toBeGreaterThan(6);
    expect(metrics.totals.get(METRIC.conflicts) ?? 0).toBeGreaterThanOrEqual(3);
  });
});
