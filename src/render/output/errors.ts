/**
 * Why render refused to write. Library code throws this; the CLI maps every kind to exit 2 (bad input) with the
 * message as is (no stack trace): nothing was changed on disk when it is thrown before the commit point.
 */
export type OutputErrorKind =
  /** a file in the way that render did not write, or that was edited since render wrote it (--force overwrites) */
  | 'conflict'
  /** the output directory (or a directory inside it) cannot be written: read-only, a file in the way, /proc, … */
  | 'unwritable'
  /** another render holds the output directory's lock */
  | 'busy';

export class OutputError extends Error {
  constructor(
    public readonly kind: OutputErrorKind,
    message: string,
    public readonly suggestion: string,
    /** the paths (relative to the output directory) the refusal is about */
    public readonly files: string[] = [],
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** A human reason for a file-system error code (no stack traces for the user). */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a file is where a directory must be';
    case 'EISDIR':
      return 'a directory is where a file must be';
    case 'ENOENT':
      return 'it does not exist and cannot be created there';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EXDEV':
      return 'it spans two file systems (a mount point inside the output directory)';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}
