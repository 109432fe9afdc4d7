import type { EgressRecord } from '../core/record.js';
import { ValidationError } from '../core/errors.js';
import { parseTypeName, show } from '../core/typename.js';
import type { EgressSink } from '../ports.js';
import type { EgressCatalog } from './function-registry.js';

/** Routes egress records to the sink registered for their egress typename. */
export class EgressRouter implements EgressSink, EgressCatalog {
  private readonly sinks = new Map<string, EgressSink>();

  register(egress: string, sink: EgressSink): this {
    parseTypeName(egress, 'egress typename');
    if (this.sinks.has(egress)) throw new ValidationError(`egress ${show(egress)} is registered twice`);
    this.sinks.set(egress, sink);
    return this;
  }

  has(egress: string): boolean {
    return this.sinks.has(egress);
  }

  names(): string[] {
    return [...this.sinks.keys()];
  }

  async publish(records: readonly EgressRecord[]): Promise<void> {
    if (records.length === 0) return;
    const bySink = new Map<EgressSink, EgressRecord[]>();
    for (const record of records) {
      const sink = this.sinks.get(record.egress);
      if (sink === undefined) throw new ValidationError(`no egress ${show(record.egress)} is registered`);
      let list = bySink.get(sink);
      if (list === undefined) bySink.set(sink, (list = []));
      list.push(record);
    }
    await Promise.all([...bySink].map(([sink, list]) => sink.publish(list)));
  }
}
