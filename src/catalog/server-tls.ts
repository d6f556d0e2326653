/**
 * TLS settings of the engines the ansible target encrypts between VMs (environments[].tls), as facts with their
 * sources. Tempo, Mimir and Loki cannot run on the build machines: tests check the rendered shapes against these.
 */

/**
 * grafana/dskit's server block, shared by Tempo, Mimir and Loki: `server.http_tls_config` (and grpc_tls_config,
 * not rendered: the gRPC port is the monolith's own, see vm-tls.ts) with `cert_file`, `key_file`,
 * `client_auth_type` (a Go crypto/tls ClientAuthType name; RequireAndVerifyClientCert = mTLS) and `client_ca_file`.
 * Sources: Loki 3.6 "Configuration" → server; Mimir 3.0 "Configuration parameters" → server; Tempo 3.0
 * "Configuration" → server (each documents the dskit block with these keys).
 */
export const DSKIT_SERVER_TLS = {
  http: 'http_tls_config',
  certFile: 'cert_file',
  keyFile: 'key_file',
  clientAuthType: 'client_auth_type',
  clientCaFile: 'client_ca_file',
  requireAndVerify: 'RequireAndVerifyClientCert',
} as const;

/**
 * Under TLS between VMs a monolith's gRPC server (its own querier ↔ frontend ↔ ingester traffic, never a path
 * between VMs) listens on loopback only (dskit `server.grpc_listen_address`), so no plaintext listener faces the
 * other hosts. Loki's rings then advertise loopback too (`common.instance_addr`): they would otherwise advertise the
 * first of eth0/en0, where nothing listens. Checked on the real engines (built from their v3.0.1 / v3.6.3 sources,
 * run on the rendered examples/vms prod configs): Tempo's live-store ring advertised `127.0.0.1:9095` by itself and
 * answered search and trace-by-id; Loki pushed and queried with the gRPC port bound to 127.0.0.1. Mimir is not
 * covered: its rings' instance addresses could not be checked on a real Mimir, so its gRPC port stays as it is.
 */
export const DSKIT_LOOPBACK_GRPC = {
  listenAddress: 'grpc_listen_address',
  loopback: '127.0.0.1',
  lokiInstanceAddr: 'instance_addr',
} as const;

/**
 * Prometheus' remote_write `tls_config` (`ca_file`, `cert_file`, `key_file`): Tempo's metrics-generator takes
 * Prometheus' RemoteWriteConfig for its `storage.remote_write` entries (Tempo 3.0 "Configuration" →
 * metrics_generator, Prometheus "Configuration" → remote_write / tls_config).
 */
export const PROMETHEUS_TLS_CONFIG = { key: 'tls_config', caFile: 'ca_file', certFile: 'cert_file', keyFile: 'key_file' } as const;

/**
 * Grafana data source TLS (Grafana 12 "Data sources" provisioning, HTTP settings): jsonData.tlsAuthWithCACert
 * (verify the server with tlsCACert), jsonData.tlsAuth (present tlsClientCert / tlsClientKey); the PEMs go in
 * secureJsonData. They are given as `$__file{<path>}`, which Grafana expands when it reads a provisioning file
 * (provisioning values: "expanders available for the settings file are expanded here" — $__env, $__file,
 * $__vault), so the file on the host is read by Grafana and no PEM is rendered.
 */
export const GRAFANA_DATASOURCE_TLS = {
  withCaCert: 'tlsAuthWithCACert',
  clientAuth: 'tlsAuth',
  caCert: 'tlsCACert',
  clientCert: 'tlsClientCert',
  clientKey: 'tlsClientKey',
  file: (path: string) => `$__file{${path}}`,
} as const;

/**
 * Prometheus' web configuration file (--web.config.file; Prometheus "HTTPS and authentication", the exporter-toolkit
 * web config): `tls_server_config` with `cert_file`, `key_file`, and for client certificates `client_auth_type`
 * (RequireAndVerifyClientCert) with `client_ca_file`. Checked on the real Prometheus (Debian 2.42) in
 * test/e2e/vm-prometheus-tls.test.ts.
 */
export const PROMETHEUS_WEB_TLS = {
  flag: '--web.config.file',
  server: 'tls_server_config',
  certFile: 'cert_file',
  keyFile: 'key_file',
  clientAuthType: 'client_auth_type',
  clientCaFile: 'client_ca_file',
  requireAndVerify: 'RequireAndVerifyClientCert',
} as const;
