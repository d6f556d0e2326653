import type { Finding, Rule } from '../findings.js';

/** S3 bucket naming rules (AWS "Bucket naming rules"; SeaweedFS and MinIO enforce the same subset). */
function s3NameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'may contain only lowercase letters, digits, "." and "-", and must start and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  return undefined;
}

/** Seed 001: every engine and purpose has its own bucket, never shared; names follow the convention. */
export const buckets: Rule = {
  id: 'buckets',
  description: 'one bucket per engine and purpose, never shared, named by the convention',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    const owners = new Map<string, { env: string; engine: string; purpose: string; path: string }>();
    for (const t of topologies) {
      for (const b of t.buckets) {
        const problem = s3NameProblem(b.name);
        if (problem) {
          out.push({ severity: 'error', rule: this.id, env: t.env.name, path: b.definitionPath, message: `bucket name "${b.name}" ${problem}`, suggestion: 'follow conventions.bucket with lowercase names' });
        }
        if (b.explicit) {
          const conventional = stack.conventions.bucket.replace(/\{(\w+)\}/g, (m, k: string) => ({ stack: stack.name, signal: b.signal, env: t.env.name, purpose: b.purpose })[k] ?? m);
          if (conventional !== b.name) {
            out.push({ severity: 'warning', rule: this.id, env: t.env.name, path: b.definitionPath, message: `bucket "${b.name}" does not follow the convention ${stack.conventions.bucket} (expected "${conventional}")`, suggestion: `rename it to "${conventional}", or drop the explicit name` });
          }
        }
        const key = `${b.objectStorage}/${b.name}`;
        const prev = owners.get(key);
        if (prev) {
          const sameEngine = prev.engine === b.engine;
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: b.definitionPath,
            message: sameEngine
              ? `bucket "${b.name}" on ${b.objectStorage} is used for both ${prev.env}/${prev.purpose} and ${t.env.name}/${b.purpose}: two deployments (or purposes) writing one bucket overwrite each other's blocks and compaction state`
              : `bucket "${b.name}" on ${b.objectStorage} is shared by ${prev.engine} and ${b.engine}: each engine must have its own bucket (or at least its own prefix), never the same path`,
            suggestion: 'give each engine, environment and purpose its own bucket',
          });
        } else owners.set(key, { env: t.env.name, engine: b.engine, purpose: b.purpose, path: b.definitionPath });
        if (b.usedBy && !t.components.some((c) => c.engine === b.engine && c.component === b.usedBy) && t.engines.find((e) => e.engine === b.engine)?.mode !== 'monolithic') {
          out.push({
            severity: 'info', rule: this.id, env: t.env.name, path: b.definitionPath,
            message: `bucket "${b.name}" is created for the ${b.engine} ${b.usedBy}, which ${t.env.name} does not deploy; it stays empty until one runs`,
            suggestion: `add a ${b.usedBy} to signals.${b.signal}.environments.${t.env.name}.components, or keep the bucket for later`,
          });
        }
      }
    }
    return out;
  },
};
