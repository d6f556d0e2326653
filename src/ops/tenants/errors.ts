/** Bad input to `otelstack tenant` (a flag, a name, a definition it cannot edit): the CLI makes it exit 2. */
export class TenantInputError extends Error {
  constructor(
    message: string,
    public readonly suggestion?: string,
  ) {
    super(message);
    this.name = 'TenantInputError';
  }
}
