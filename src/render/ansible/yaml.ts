import { stringify } from 'yaml';

/**
 * YAML for Ansible files: a document start, keys in the order they were built (a task's name first, as
 * ansible-lint's key-order rule wants; the renderer builds every object in a fixed order, so output is
 * deterministic), no line folding, no anchors.
 */
export function ansibleYaml(value: unknown, header?: string): string {
  return `---\n${header ? `${header}\n` : ''}${stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
