// Certificates made at test time with the real openssl (scripts/peers/openssl.sh): a CA, a host certificate for
// localhost / 127.0.0.1 (server and client use), and a pair from another CA that must be refused.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { opensslBin } from './peers.js';

const run = promisify(execFile);

export interface Certs {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** a certificate and key from ANOTHER CA: must be refused like no certificate */
  readonly rogueCert: string;
  readonly rogueKey: string;
}

/** A CA and a host certificate (SANs localhost and 127.0.0.1, server and client use), and a rogue pair; EC P-256, keys PKCS#8. */
export async function makeCerts(dir: string): Promise<Certs> {
  const ssl = opensslBin();
  const o = (args: string[]) => run(ssl, args, { cwd: dir, timeout: 30_000 });
  writeFileSync(join(dir, 'host.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n');
  for (const ca of ['ca', 'rogue-ca']) {
    await o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=otelstack e2e ${ca}`]);
  }
  for (const [name, ca] of [['host', 'ca'], ['rogue', 'rogue-ca']] as const) {
    await o(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    await o(['req', '-new', '-key', `${name}.key`, '-subj', '/CN=localhost', '-out', `${name}.csr`]);
    await o(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', 'host.ext', '-out', `${name}.crt`]);
  }
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'host.crt'), key: join(dir, 'host.key'), rogueCert: join(dir, 'rogue.crt'), rogueKey: join(dir, 'rogue.key') };
}

