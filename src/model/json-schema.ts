import * as z from 'zod';
import { StackSchema } from './schema.js';

/** JSON Schema (draft 2020-12) of what a definition file may contain, i.e. the input side with defaults optional. */
export function stackJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(StackSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'otelstack stack definition',
  };
}
