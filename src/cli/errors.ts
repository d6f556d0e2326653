import { DefinitionError } from '../model/errors.js';

/** Exit codes (DESIGN.md): 0 ok, 1 error findings or failed verification, 2 bad input or usage. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

export class UsageError extends Error {
  constructor(message: string, public readonly suggestion?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints a bad-input error and returns the exit code for it; anything else is a bug and is rethrown. */
export function reportError(e: unknown): number {
  if (e instanceof DefinitionError) {
    process.stderr.write(`error: invalid stack definition\n${e.message}\n`);
    return EXIT.usage;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}${e.suggestion ? `\n  suggestion: ${e.suggestion}` : ''}\n`);
    return EXIT.usage;
  }
  throw e;
}
