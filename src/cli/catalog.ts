import type { Command } from 'commander';
import { CATALOG } from '../catalog/index.js';
import { EXIT, UsageError } from './errors.js';

/** What the catalog knows: engines, pinned versions, version lines, modes with their components and charts. */
export function catalogCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('catalog')
    .description('list the engines, versions, modes, components and Helm charts otelstack knows')
    .argument('[engine]', 'only this engine')
    .option('--json', 'print JSON')
    .action((only: string | undefined, opts: { json?: boolean }) =>
      run(async () => {
        const engines = Object.values(CATALOG).filter((e) => !only || e.id === only);
        // an engine the catalog does not know is a usage error (exit 2), not an empty listing
        if (engines.length === 0) throw new UsageError(`the catalog has no engine "${only}"`, `use one of: ${Object.keys(CATALOG).join(', ')}`);
        const data = engines.map((e) => ({
          engine: e.id,
          title: e.title,
          pinned: e.pinned,
          image: e.image,
          ports: e.ports,
          buckets: e.buckets.map((b) => b.purpose),
          versions: e.versions.map((v) => ({
            line: `${v.line}.x`,
            releases: v.releases,
            documented: v.documented,
            deprecated: v.deprecated ?? null,
            modes: Object.fromEntries(
              Object.entries(v.modes).map(([mode, m]) => [
                mode,
                { chart: 'name' in m!.chart ? `${m!.chart.name} ${m!.chart.version}` : null, noChart: 'none' in m!.chart ? m!.chart.none : null, kafka: m!.kafka, components: m!.components.map((c) => c.name) },
              ]),
            ),
          })),
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
          return EXIT.ok;
        }
        for (const e of data) {
          process.stdout.write(`${e.title} (${e.engine}) — pinned ${e.pinned}, image ${e.image}\n`);
          for (const v of e.versions) {
            process.stdout.write(`  ${v.line} [${v.releases.join(', ')}], documented ${v.documented}${v.deprecated ? ` — ${v.deprecated}` : ''}\n`);
            for (const [mode, m] of Object.entries(v.modes)) {
              process.stdout.write(`    ${mode}: ${m.components.join(', ')}${m.chart ? ` — chart ${m.chart}` : ' — no chart'}${m.kafka !== 'no' ? ` — Kafka ${m.kafka}` : ''}\n`);
            }
          }
        }
        return EXIT.ok;
      }),
    );
}
