import { DefinitionError, type DefinitionIssue } from '../model/errors.js';

/** Exit codes (DESIGN.md): 0 ok, 1 error findings or failed verification, 2 bad input or usage. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

export class UsageError extends Error {
  constructor(message: string, public readonly suggestion?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The one JSON shape of a failed command under --json, on stdout (every command):
 *   { ok: false, error: { kind: "input" | "usage" | "verification", message, suggestion?, issues?: [{ file, path,
 *     message, expected, suggestion }] } }
 * "input": a bad definition or argument value (exit 2); "usage": flags the command does not take (exit 2);
 * "verification": a check that failed (exit 1). The human message still goes to stderr.
 */
export interface JsonError {
  readonly kind: 'input' | 'usage' | 'verification';
  readonly message: string;
  readonly suggestion?: string;
  readonly issues?: readonly DefinitionIssue[];
}

export function writeJsonError(error: JsonError): void {
  process.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
}

/** Whether the command line asks for JSON output (read once, here, for every command's error path). */
export function wantsJson(argv: readonly string[] = process.argv): boolean {
  return argv.slice(2).includes('--json');
}

/** Prints a bad-input error (and its JSON form under --json) and returns the exit code; anything else is a bug and is rethrown. */
export function reportError(e: unknown, json: boolean = wantsJson()): number {
  if (e instanceof DefinitionError) {
    if (json) writeJsonError({ kind: 'input', message: 'invalid stack definition', issues: e.issues });
    process.stderr.write(`error: invalid stack definition\n${e.message}\n`);
    return EXIT.usage;
  }
  if (e instanceof UsageError) {
    if (json) writeJsonError({ kind: 'input', message: e.message, ...(e.suggestion ? { suggestion: e.suggestion } : {}) });
    process.stderr.write(`error: ${e.message}${e.suggestion ? `\n  suggestion: ${e.suggestion}` : ''}\n`);
    return EXIT.usage;
  }
  throw e;
}
