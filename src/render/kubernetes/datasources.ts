/**
 * Grafana datasource provisioning (Grafana 12.3 documentation, "Provision Grafana" → data sources): apiVersion 1,
 * datasources with a stable uid; tenant header through Grafana's custom-header settings (catalog GRAFANA_DATASOURCE_HEADER);
 * Prometheus exemplarTraceIdDestinations → Tempo; Tempo tracesToLogsV2 → Loki, serviceMap / tracesToMetrics → Mimir;
 * Loki derivedFields (trace id) → Tempo; Tempo tracesToProfiles → Pyroscope (the span's service.name matched to the
 * profile's service_name label, CPU profile type), the profiles signal's link like the others'.
 */
import { PYROSCOPE_TRACE_PROFILE_TYPE } from '../../catalog/pyroscope.js';
import type { Stack } from '../../model/schema.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { tenantEngineViews, tenantHeaderSettings } from '../configs/engines.js';

export interface DatasourceProvisioning {
  apiVersion: 1;
  datasources: Array<Record<string, unknown>>;
}

export function datasourceProvisioning(stack: Stack, t: Topology): DatasourceProvisioning {
  void stack;
  // the environment's datasources, then each tenant's own set (tenants.<name>): the same engines and links between
  // them, with the tenant's names, uids and X-Scope-OrgID (tenantEngineViews)
  const datasources = [...datasourceSet(t.engines), ...tenantEngineViews(t).flatMap((v) => datasourceSet(v.engines))];
  return { apiVersion: 1, datasources };
}

/** One set of datasources linked to each other (trace ↔ logs ↔ metrics ↔ profiles), sorted by uid. */
function datasourceSet(engines: readonly EngineDeployment[]): Array<Record<string, unknown>> {
  const withDs = engines.filter((e): e is EngineDeployment & { datasource: NonNullable<EngineDeployment['datasource']> } => e.datasource !== undefined && e.endpoints.query !== undefined);
  const uid = (engine: string) => withDs.find((e) => e.engine === engine)?.datasource.uid;
  const tempo = uid('tempo');
  const loki = uid('loki');
  const metrics = uid('mimir') ?? uid('prometheus');
  const profiles = uid('pyroscope');
  return withDs
    .map((e) => {
      const jsonData: Record<string, unknown> = {};
      const ds: Record<string, unknown> = {
        name: e.datasource.name,
        uid: e.datasource.uid,
        type: e.datasource.type,
        access: 'proxy',
        url: e.endpoints.query,
        editable: false,
      };
      if (e.tenant !== undefined) {
        const h = tenantHeaderSettings(e.tenant);
        Object.assign(jsonData, h.jsonData);
        ds['secureJsonData'] = h.secureJsonData;
      }
      if (e.engine === 'mimir' || e.engine === 'prometheus') {
        if (tempo) jsonData['exemplarTraceIdDestinations'] = [{ name: 'trace_id', datasourceUid: tempo }];
      } else if (e.engine === 'tempo') {
        if (loki) jsonData['tracesToLogsV2'] = { datasourceUid: loki, filterByTraceID: true, spanStartTimeShift: '-5m', spanEndTimeShift: '5m' };
        if (metrics) {
          jsonData['serviceMap'] = { datasourceUid: metrics };
          jsonData['tracesToMetrics'] = { datasourceUid: metrics };
        }
        if (loki) jsonData['lokiSearch'] = { datasourceUid: loki };
        if (profiles) jsonData['tracesToProfiles'] = { datasourceUid: profiles, tags: [{ key: 'service.name', value: 'service_name' }], profileTypeId: PYROSCOPE_TRACE_PROFILE_TYPE, customQuery: false };
      } else if (e.engine === 'loki') {
        if (tempo) jsonData['derivedFields'] = [{ name: 'TraceID', matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: tempo, url: '$${__value.raw}' }];
      }
      if (Object.keys(jsonData).length) ds['jsonData'] = jsonData;
      return ds;
    })
    .sort((a, b) => (String(a['uid']) < String(b['uid']) ? -1 : 1));
}
