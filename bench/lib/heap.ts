// What a heap snapshot holds, by constructor: the difference between two snapshots, divided by how many
// streams were opened between them, tells what one stream costs and where.
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per constructor (objects, closures) or per kind (strings, arrays, code…). */
export function heapByConstructor(path: string): Map<string, { bytes: number; count: number }> {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const key =
      type === 'object' || type === 'closure'
        ? `${snapshot.strings[snapshot.nodes[i + nameAt]!]}${type === 'closure' ? '()' : ''}`
        : `(${type})`;
    const total = totals.get(key) ?? { bytes: 0, count: 0 };
    total.bytes += snapshot.nodes[i + sizeAt]!;
    total.count += 1;
    totals.set(key, total);
  }
  return totals;
}

export interface PerStream {
  name: string;
  bytes: number;
  count: number;
}

export function perStream(before: string, after: string, streams: number, top = 20): PerStream[] {
  const a = heapByConstructor(before);
  const b = heapByConstructor(after);
  return [...b]
    .map(([name, total]) => ({
      name,
      bytes: (total.bytes - (a.get(name)?.bytes ?? 0)) / streams,
      count: (total.count - (a.get(name)?.count ?? 0)) / streams,
    }))
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top);
}
