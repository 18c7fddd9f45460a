// Prints each tier's wall time at the end of a run (vitest prints only the run's total), so that `npm test`
// shows how long the fast tier took. A tier is a vitest project (vitest.config.ts); its time runs from its
// first file queued to its last file done.
import type { Reporter, TestModule } from 'vitest/node';

export default class TierTimes implements Reporter {
  private readonly tiers = new Map<string, { start: number; end: number; files: number }>();

  onTestModuleQueued(module: TestModule): void {
    const name = module.project.name;
    const tier = this.tiers.get(name) ?? { start: performance.now(), end: 0, files: 0 };
    tier.files++;
    this.tiers.set(name, tier);
  }

  onTestModuleEnd(module: TestModule): void {
    const tier = this.tiers.get(module.project.name);
    if (tier) tier.end = performance.now();
  }

  onTestRunEnd(): void {
    for (const [name, { start, end, files }] of this.tiers) {
      const seconds = ((end - start) / 1000).toFixed(1);
      console.log(`  tier ${name.padEnd(6)} ${String(files).padStart(3)} files in ${seconds} s`);
    }
  }
}
