import { parse } from 'yaml';
import type { Stack } from '../../model/schema.js';
import { renderCompose } from '../../render/compose/index.js';
import type { FileSet } from '../../render/fileset.js';
import { renderTopology } from '../../render/topology.js';
import { BackupError } from './types.js';

/** What a compose environment's backup covers: its project, named volumes and rendered files. */
export interface ComposeBackupPlan {
  stack: string;
  env: string;
  /** compose project name: Docker prefixes the volume names with it */
  project: string;
  volumes: string[];
  configs: FileSet;
}

/**
 * Reads the project name and the named volumes from what the compose renderer produces for the environment
 * (its docker-compose.yaml), so backup never keeps its own list of volume names.
 */
export function composeBackupPlan(stack: Stack, env: string): ComposeBackupPlan {
  const def = stack.environments.find((e) => e.name === env);
  if (!def) throw new BackupError(`the definition has no environment "${env}"`, 'input', `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
  if (def.target !== 'compose') throw new BackupError(`environment ${env} runs on ${def.target}, not compose`, 'input', 'backup covers compose environments (Docker named volumes)');
  const r = renderCompose({ stack, topology: renderTopology(stack, env) });
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new BackupError(`environment ${env} does not render: ${errors.map((f) => f.message).join('; ')}`, 'input', 'fix the definition (otelstack render shows the findings)');
  const composeFile = [...r.files.keys()].find((k) => k.endsWith('/docker-compose.yaml'));
  if (!composeFile) throw new BackupError(`the compose renderer produced no docker-compose.yaml for ${env}`, 'input');
  const doc = parse(r.files.get(composeFile)!) as { name?: string; volumes?: Record<string, unknown> };
  if (!doc.name) throw new BackupError(`${composeFile} has no project name`, 'input');
  return { stack: stack.name, env, project: doc.name, volumes: Object.keys(doc.volumes ?? {}).sort(), configs: r.files };
}
