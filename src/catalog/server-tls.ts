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
