// What holds the heap that opening streams added: the dominator tree of a heap snapshot (Cooper, Harvey and
// Kennedy's iterative algorithm), and the retained size of every new object whose immediate dominator is
// older than the streams, grouped by what it is. Each group is something one stream keeps alive by itself
// (its pending promise chain, its ServerResponse with its listeners…), so the groups add up to a stream.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface Held {
  /** `type:name` of the object that keeps the rest alive, e.g. `object:ServerResponse`. */
  name: string;
  /** Retained bytes and how many such objects, per stream. */
  bytes: number;
  count: number;
}

function nodeIds(path: string): Set<number> {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const ids = new Set<number>();
  for (let i = fields.indexOf('id'); i < snapshot.nodes.length; i += fields.length) ids.add(snapshot.nodes[i]!);
  return ids;
}

/** Per stream: the new objects that hold the heap added between `before` and `after`, by their retained size. */
export function heldPerStream(before: string, after: string, streams: number, top = 20): Held[] {
  const old = nodeIds(before);
  const s = JSON.parse(readFileSync(after, 'utf8')) as Snapshot;
  const { node_fields: nf, node_types, edge_fields: ef, edge_types } = s.snapshot.meta;
  const width = nf.length;
  const edgeWidth = ef.length;
  const [typeAt, nameAt, sizeAt, idAt, edgeCountAt] = ['type', 'name', 'self_size', 'id', 'edge_count'].map((f) =>
    nf.indexOf(f),
  ) as [number, number, number, number, number];
  const [edgeTypeAt, toAt] = [ef.indexOf('type'), ef.indexOf('to_node')];
  const skipped = new Set([edge_types[0].indexOf('weak'), edge_types[0].indexOf('shortcut')]);
  const n = s.nodes.length / width;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i]! + s.nodes[i * width + edgeCountAt]! * edgeWidth;
  const strong = (e: number) => !skipped.has(s.edges[e + edgeTypeAt]!);
  const target = (e: number) => s.edges[e + toAt]! / width;

  // Post-order from the root (node 0).
  const visited = new Uint8Array(n);
  const cursor = new Uint32Array(n);
  const post: number[] = [];
  const stack = [0];
  visited[0] = 1;
  cursor[0] = firstEdge[0]!;
  while (stack.length > 0) {
    const v = stack.at(-1)!;
    if (cursor[v]! < firstEdge[v + 1]!) {
      const e = cursor[v]!;
      cursor[v] = e + edgeWidth;
      if (!strong(e)) continue;
      const to = target(e);
      if (visited[to]) continue;
      visited[to] = 1;
      cursor[to] = firstEdge[to]!;
      stack.push(to);
    } else {
      stack.pop();
      post.push(v);
    }
  }
  const order = new Int32Array(n).fill(-1);
  post.forEach((v, i) => {
    order[v] = i;
  });
  const predecessorStart = new Uint32Array(n + 1);
  for (const v of post)
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += edgeWidth)
      if (strong(e)) predecessorStart[target(e) + 1]!++;
  for (let i = 0; i < n; i++) predecessorStart[i + 1]! += predecessorStart[i]!;
  const predecessors = new Uint32Array(predecessorStart[n]!);
  const fill = predecessorStart.slice();
  for (const v of post)
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += edgeWidth)
      if (strong(e)) predecessors[fill[target(e)]!++] = v;

  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = post.length - 2; i >= 0; i--) {
      const v = post[i]!;
      let dominator = -1;
      for (let p = predecessorStart[v]!; p < predecessorStart[v + 1]!; p++) {
        const u = predecessors[p]!;
        if (idom[u] !== -1) dominator = dominator === -1 ? u : intersect(u, dominator);
      }
      if (dominator !== -1 && idom[v] !== dominator) {
        idom[v] = dominator;
        changed = true;
      }
    }
  }

  const retained = new Float64Array(n);
  for (const v of post) {
    retained[v]! += s.nodes[v * width + sizeAt]!;
    if (v !== 0) retained[idom[v]!]! += retained[v]!;
  }
  const isNew = (v: number) => !old.has(s.nodes[v * width + idAt]!);
  const groups = new Map<string, { bytes: number; count: number }>();
  for (const v of post) {
    if (v === 0 || !isNew(v) || isNew(idom[v]!)) continue;
    const type = node_types[0][s.nodes[v * width + typeAt]!]!;
    const name = type.includes('string') ? '' : s.strings[s.nodes[v * width + nameAt]!]!.slice(0, 60);
    const key = `${type}:${name}`;
    const group = groups.get(key) ?? { bytes: 0, count: 0 };
    group.bytes += retained[v]!;
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups]
    .map(([name, { bytes, count }]) => ({ name, bytes: bytes / streams, count: count / streams }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}
