/** One problem with a definition: where it is, what was expected, and what to do about it. */
export interface DefinitionIssue {
  /** The definition file the problem is in. */
  file: string;
  /** Dotted path inside the definition, e.g. "environments[2].capacity.quota.memory". */
  path: string;
  message: string;
  expected: string;
  suggestion: string;
}

/** Thrown by loading/validation only; the CLI turns it into exit code 2. */
export class DefinitionError extends Error {
  constructor(public readonly issues: DefinitionIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'DefinitionError';
  }
}

export function formatIssue(i: DefinitionIssue): string {
  const where = i.path ? `${i.file}: at ${i.path}` : i.file;
  return `${where}: ${i.message}\n  expected: ${i.expected}\n  suggestion: ${i.suggestion}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Levenshtein distance, for "did you mean" suggestions on unknown keys and names. */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? `did you mean "${c}"? Known: ${candidates.join(', ')}` : `use one of: ${candidates.join(', ')}`;
}
