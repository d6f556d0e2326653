import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { stackJsonSchema } from '../../src/model/json-schema.js';
import { ROOT } from '../support/paths.js';

describe('JSON Schema for YAML editors', () => {
  it('the checked-in schema/stack.schema.json is current (regenerate: otelstack schema > schema/stack.schema.json)', () => {
    const onDisk = JSON.parse(readFileSync(`${ROOT}schema/stack.schema.json`, 'utf8')) as unknown;
    assert.deepEqual(onDisk, stackJsonSchema());
  });
  it('accepts the bundled YAML definitions and rejects an unknown key', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    const validate = ajv.compile(stackJsonSchema());
    for (const f of ['examples/dts/as-written/stack.yaml', 'examples/single-node/stack.yaml', 'examples/scalable/stack.yaml']) {
      const doc = parse(readFileSync(`${ROOT}${f}`, 'utf8')) as unknown;
      assert.ok(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`);
    }
    const bad = parse(readFileSync(`${ROOT}examples/dts/as-written/stack.yaml`, 'utf8')) as Record<string, unknown>;
    const envs = (stackJsonSchema() as any).properties.environments.items.properties;
    assert.match(envs.currentPhase.description, /render --phase N/);
    assert.deepEqual([envs.currentPhase.minimum, envs.currentPhase.maximum], [1, 20]);
    bad['nmae'] = 'x';
    assert.equal(validate(bad), false);
  });
});
