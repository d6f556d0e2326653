/**
 * Facts of grafana/dskit shared by Loki, Tempo and Mimir (dskit vendored by Loki v3.6.3 and Tempo v3.0.1).
 * The tenant of a request is the `X-Scope-OrgID` header (dskit user/http.go, OrgIDHeaderName): every engine reads
 * and writes a tenant's data under it, and the collectors' exporters send it.
 */
export const DSKIT_TENANT_HEADER = 'X-Scope-OrgID';
