// The results as they come: each figure printed next to its baseline at once, and the whole written as
// Markdown at the end.
import { loadavg } from 'node:os';
import type { Machine } from './machine.js';

export interface Row {
  benchmark: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  /** "met", "not met: …", or "—" when there is no target. */
  verdict: string;
  /** The machine's 1-minute load average when the figure was taken (2 cores: above 2, something else ran too). */
  load?: string;
}

export class Report {
  readonly rows: Row[] = [];
  readonly sections: Array<{ title: string; body: string }> = [];
  readonly notes: string[] = [];

  add(row: Row): void {
    row.load ??= loadavg()[0]!.toFixed(1);
    this.rows.push(row);
    console.log(
      `  ${row.benchmark}: ${row.figure}  | baseline ${row.baseline}  | ${row.ratio}  | target ${row.target}: ${row.verdict}`,
    );
  }

  section(title: string, body: string): void {
    this.sections.push({ title, body });
    console.log(`\n## ${title}\n${body}`);
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  markdown(machine: Machine, mode: string, elapsedMs: number): string {
    const table = [
      '| benchmark | figure | baseline (same run) | ratio | target | verdict | load |',
      '|---|---|---|---|---|---|---|',
      ...this.rows.map(
        (row) =>
          `| ${row.benchmark} | ${row.figure} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.verdict} | ${row.load} |`,
      ),
    ].join('\n');
    return [
      '# Benchmark results',
      '',
      `Written by \`npm run bench\` (${mode}, ${(elapsedMs / 60_000).toFixed(1)} min). Every figure was measured in this`,
      'run beside its baseline; see docs/benchmarks.md for what each one compares.',
      '',
      '## Machine',
      '',
      `| | |\n|---|---|\n| CPU | ${machine.cpu} |\n| cores | ${machine.cores} |\n| memory | ${machine.memory} |\n| OS | ${machine.os} |\n| Node | ${machine.node} |\n| PostgreSQL | ${machine.postgres} |\n| Redis | ${machine.redis} |\n| date | ${machine.date} |\n| load average (1, 5, 15 min) | at start: ${machine.loadAtStart}; at end: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(', ')} |`,
      '',
      '## Figures',
      '',
      "The last column is the machine's 1-minute load average when the figure was taken. The run itself keeps about 2–4",
      'processes busy on the 2 cores; much more means other work competed for the CPU, and absolute figures are then',
      'lower than on a quiet machine. Each ratio compares measurements made seconds apart, under about the same load.',
      '',
      table,
      '',
      ...(this.notes.length ? ['## Notes', '', ...this.notes.map((note) => `- ${note}`), ''] : []),
      ...this.sections.flatMap((section) => [`## ${section.title}`, '', section.body, '']),
    ].join('\n');
  }
}

/** "met" or "not met (…)" for value ≤ limit (or ≥ when `atLeast`). */
export function verdict(value: number, limit: number, atLeast: boolean, unit = ''): string {
  if (!Number.isFinite(value) || !Number.isFinite(limit)) return 'not measured';
  const met = atLeast ? value >= limit : value <= limit;
  if (met) return 'met';
  const gap = atLeast ? limit - value : value - limit;
  const factor = atLeast ? limit / value : value / limit;
  return `**not met**: ${gap.toFixed(gap < 10 ? 2 : 0)}${unit} short (${factor.toFixed(2)}× off)`;
}
