// The canary on Kubernetes: a Deployment with its definition copy, requests as the rest of the output writes them,
// and — only with checkStorage — the engines' S3 identity from the same Secret reference (never a value).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderStack } from '../../../src/render/index.js';
import { ROOT } from '../../support/paths.js';

const deployment = (s: Stack, env: string): Record<string, any> => parse(renderStack(s).files.get(`kubernetes/${env}/canary/deployment.yaml`)!) as Record<string, any>;

describe('kubernetes: the canary Deployment', async () => {
  const { stack } = await loadStack(`${ROOT}examples/production`);
  const env = stack.environments[0]!.name;
  const creds = stack.objectStorage[stack.environments[0]!.objectStorage]!.credentials;

  it('without checkStorage it holds no secret', () => {
    const c = deployment(stack, env)['spec'].template.spec.containers[0];
    assert.equal(c.env, undefined);
    assert.match(c.resources.requests.memory, /^\d+Mi$/);
  });

  it('with checkStorage it reads the S3 keys from the engines\' Secret reference', () => {
    const s = structuredClone(stack);
    s.canary!.checkStorage = true;
    const c = deployment(s, env)['spec'].template.spec.containers[0];
    assert.deepEqual(c.env, [
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: creds.secretName, key: creds.accessKeyIdKey } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: creds.secretName, key: creds.secretAccessKeyKey } } },
    ]);
  });
});
