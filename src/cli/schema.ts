import type { Command } from 'commander';
import { stackJsonSchema } from '../model/json-schema.js';
import { EXIT } from './errors.js';

export function schemaCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('schema')
    .description('print the JSON Schema of stack definitions (for YAML editors: # yaml-language-server: $schema=...)')
    .action(() =>
      run(async () => {
        process.stdout.write(`${JSON.stringify(stackJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      }),
    );
}
