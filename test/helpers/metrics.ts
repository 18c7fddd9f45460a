// /metrics read the way Prometheus reads it: samples by name and labels, to compare before and after.

export interface Scrape {
  /** The sum of the samples named `name` whose labels include `labels`; 0 when there are none. */
  value(name: string, labels?: Record<string, string>): number;
  /** Whether any sample is named `name`. */
  has(name: string): boolean;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const samples = (await response.text())
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [, name, labels = '', value] = SAMPLE.exec(line) ?? [];
      return {
        name: name ?? '',
        labels: Object.fromEntries([...labels.matchAll(LABEL)].map(([, key, label]) => [key, label])),
        value: Number(value),
      };
    });
  return {
    value: (name, labels = {}) =>
      samples
        .filter((sample) => sample.name === name)
        .filter((sample) => Object.entries(labels).every(([key, label]) => sample.labels[key] === label))
        .reduce((sum, sample) => sum + sample.value, 0),
    has: (name) => samples.some((sample) => sample.name === name),
  };
}

/** How much each sample moved while `action` ran. */
export async function moved(
  baseUrl: string,
  action: () => Promise<unknown>,
): Promise<(name: string, labels?: Record<string, string>) => number> {
  const before = await scrape(baseUrl);
  await action();
  const after = await scrape(baseUrl);
  return (name, labels) => after.value(name, labels) - before.value(name, labels);
}
