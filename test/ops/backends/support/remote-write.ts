// Prometheus remote-write 1.0 client for tests: feeds a real Prometheus (which, as packaged by Debian 12, is 2.42
// and has no OTLP receiver) with series and exemplars. Message shapes follow the Remote-Write 1.0 specification
// (prometheus.io/docs/specs/remote_write_spec: prompb WriteRequest / TimeSeries / Label / Sample / Exemplar),
// declared through protobufjs's reflection API; the body is snappy block-compressed (snappyjs).
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { request } from 'undici';

export interface RwSeries {
  /** Includes __name__. */
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly { readonly value: number; readonly timestampMs: number }[];
  readonly exemplars?: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: number; readonly timestampMs: number }[];
}

let writeRequest: protobuf.Type | undefined;

function schema(): protobuf.Type {
  if (writeRequest) return writeRequest;
  const label = new protobuf.Type('Label').add(new protobuf.Field('name', 1, 'string')).add(new protobuf.Field('value', 2, 'string'));
  const sample = new protobuf.Type('Sample').add(new protobuf.Field('value', 1, 'double')).add(new protobuf.Field('timestamp', 2, 'int64'));
  const exemplar = new protobuf.Type('Exemplar')
    .add(new protobuf.Field('labels', 1, 'Label', 'repeated'))
    .add(new protobuf.Field('value', 2, 'double'))
    .add(new protobuf.Field('timestamp', 3, 'int64'));
  const ts = new protobuf.Type('TimeSeries')
    .add(new protobuf.Field('labels', 1, 'Label', 'repeated'))
    .add(new protobuf.Field('samples', 2, 'Sample', 'repeated'))
    .add(new protobuf.Field('exemplars', 3, 'Exemplar', 'repeated'));
  const wr = new protobuf.Type('WriteRequest').add(new protobuf.Field('timeseries', 1, 'TimeSeries', 'repeated'));
  new protobuf.Root().define('prometheus').add(label).add(sample).add(exemplar).add(ts).add(wr);
  wr.resolveAll();
  writeRequest = wr;
  return wr;
}

const sortedLabels = (l: Readonly<Record<string, string>>) =>
  Object.keys(l)
    .sort()
    .map((name) => ({ name, value: l[name]! }));

export function encodeWriteRequest(series: readonly RwSeries[]): Uint8Array {
  const msg = {
    timeseries: series.map((s) => ({
      labels: sortedLabels(s.labels),
      samples: s.samples.map((x) => ({ value: x.value, timestamp: String(Math.round(x.timestampMs)) })),
      exemplars: (s.exemplars ?? []).map((e) => ({ labels: sortedLabels(e.labels), value: e.value, timestamp: String(Math.round(e.timestampMs)) })),
    })),
  };
  return snappy.compress(schema().encode(msg).finish());
}

/** POSTs series to a remote-write endpoint; throws unless 2xx. */
export async function remoteWrite(url: string, series: readonly RwSeries[]): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
    body: Buffer.from(encodeWriteRequest(series)),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`remote write to ${url}: HTTP ${res.statusCode}: ${text}`);
}
