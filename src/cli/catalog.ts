import type { Command } from 'commander';
import { chartSupport } from '../catalog/charts/index.js';
import { CATALOG } from '../catalog/index.js';
import { EXIT, UsageError } from './errors.js';

/**
 * What the catalog knows: engines, pinned versions, version lines, modes with their components and charts.
 *
 * --json: [{ engine, title, pinned, image, ports, buckets, versions: [{ line, releases, pinned, documented,
 *   deprecated, modes: { <mode>: { chart, noChart, chartRefused, kafka, components } } }] }]
 * `releases` always includes the pin (`pinned` is true on the line holding it); `chartRefused` is the reason when
 * render refuses that chart version (null when it renders it).
 */
export function catalogCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('catalog')
    .description('list the engines, versions, modes, components and Helm charts otelstack knows')
    .argument('[engine]', 'only this engine')
    .option('--json', 'print JSON')
    .action((only: string | undefined, opts: { json?: boolean }) =>
      run(async () => {
        const ids = Object.keys(CATALOG);
        if (only !== undefined && !ids.includes(only)) throw new UsageError(`the catalog has no engine "${only}"`, `use one of: ${ids.join(', ')}`);
        const engines = Object.values(CATALOG).filter((e) => !only || e.id === only);
        const data = engines.map((e) => ({
          engine: e.id,
          title: e.title,
          pinned: e.pinned,
          image: e.image,
          ports: e.ports,
          buckets: e.buckets.map((b) => b.purpose),
          versions: e.versions.map((v) => {
            const holdsPin = e.pinned.split('.')[0] === v.line;
            return {
              line: `${v.line}.x`,
              releases: holdsPin && !v.releases.includes(e.pinned) ? [...v.releases, e.pinned] : v.releases,
              pinned: holdsPin,
              documented: v.documented,
              deprecated: v.deprecated ?? null,
              removedModes: Object.fromEntries(Object.entries(v.removedModes ?? {}).map(([mode, r]) => [mode, r!.reason])),
              modes: Object.fromEntries(
                Object.entries(v.modes).map(([mode, m]) => {
                  const chart = 'name' in m!.chart ? m!.chart : undefined;
                  const support = chart ? chartSupport(chart) : undefined;
                  return [
                    mode,
                    {
                      chart: chart ? `${chart.name} ${chart.version}` : null,
                      noChart: 'none' in m!.chart ? m!.chart.none : null,
                      chartRefused: support && !support.rendered && support.refused ? support.reason : null,
                      chartNotRendered: support && !support.rendered && !support.refused ? support.reason : null,
                      kafka: m!.kafka,
                      components: m!.components.map((c) => c.name),
                    },
                  ];
                }),
              ),
            };
          }),
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
              const chart = !m.chart
                ? ' — no chart'
                : m.chartRefused
                  ? ` — chart ${m.chart} REFUSED by render: ${m.chartRefused}`
                  : m.chartNotRendered
                    ? ` — chart ${m.chart} (not rendered: ${m.chartNotRendered})`
                    : ` — chart ${m.chart}`;
              process.stdout.write(`    ${mode}: ${m.components.join(', ')}${chart}${m.kafka !== 'no' ? ` — Kafka ${m.kafka}` : ''}\n`);
            }
            for (const [mode, reason] of Object.entries(v.removedModes)) process.stdout.write(`    ${mode}: removed — ${reason}\n`);
          }
        }
        return EXIT.ok;
      }),
    );
}
