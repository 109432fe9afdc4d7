import type { EgressRecord } from '../../core/record.js';
import type { LogEgressSpec } from '../../module/egress.js';
import type { SinkWriter } from './egress-drain.js';
import { decodeValue, formatValueInline } from './value-format.js';
import { recordJson } from './record-json.js';

/**
 * The log egress (`io.statefun-aws.log.v1/egress`) under `statefun dev`: prints each record once it is
 * durable, then it is acknowledged. `text`: `[<egress>] <source address> <typename> <value>`; `json`: one JSON
 * object per line, as the file sink writes them. At least once: a crash between printing and acknowledging
 * prints the record again after the restart.
 */
export function logSink(spec: Pick<LogEgressSpec, 'id' | 'format'>, print: (line: string) => void): SinkWriter {
  return {
    write(records: readonly EgressRecord[]): Promise<void> {
      const lines = records.map((r) => (spec.format === 'json' ? JSON.stringify(recordJson(r)) : textLine(r)));
      print(lines.join('\n'));
      return Promise.resolve();
    },
  };
}

function textLine(record: EgressRecord): string {
  const value = decodeValue(record.argument.typename, record.argument.value);
  return `[${record.egress}] ${record.source.typename}/${record.source.id} ${record.argument.typename} ${formatValueInline(value)}`;
}
