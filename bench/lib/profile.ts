// Reads a V8 CPU profile (.cpuprofile) and tells where the time went: self time by function and by
// package (node_modules/<name>, the app's src/, Node's internals, GC, idle).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle. */
  busyMs: number;
  functions: Share[];
  packages: Share[];
  /** Time with at least one frame of the package on the stack (its own code and what it called). */
  inclusive: Share[];
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(V8 builtins and native)';
  if (url.startsWith('wasm://')) return '(WebAssembly: Prisma query compiler)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return 'node: internals';
  const src = url.indexOf('/src/');
  if (src !== -1) return url.includes('/src/generated/') ? 'app: src/generated (Prisma client)' : 'app: src/';
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src !== -1) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // The probe's own work (taking the profile) is not the app's: leave out everything it called.
  const excluded = new Set<number>();
  const exclude = (id: number) => {
    excluded.add(id);
    for (const child of byId.get(id)?.children ?? []) exclude(child);
  };
  for (const node of profile.nodes) if (node.callFrame.url.endsWith('/bench/lib/probe.ts')) exclude(node.id);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (!excluded.has(id)) selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalMs += ms;
    if (functionName === '(idle)') idleMs += ms;
    const name = url
      ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
      : functionName || '(anonymous)';
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
  }
  // Inclusive time: every package on a sample's stack gets the sample once.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackPackages = new Map<number, Set<string>>();
  const packagesOn = (id: number): Set<string> => {
    const known = stackPackages.get(id);
    if (known) return known;
    const up = parent.get(id);
    const set = new Set(up === undefined ? [] : packagesOn(up));
    const { url, functionName } = byId.get(id)!.callFrame;
    if (url) set.add(packageOf(url, functionName));
    stackPackages.set(id, set);
    return set;
  };
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    for (const pkg of packagesOn(id)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  const shares = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, percent: (ms / busyMs) * 100 }));
  return {
    totalMs,
    busyMs,
    functions: shares(functions),
    packages: shares(packages),
    inclusive: shares(inclusive).filter((share) => share.name !== 'node: internals'),
  };
}
