// What the sample web app is built with (esbuild `define`, build.ts): the Faro endpoint, the app's identity, the
// tenant's client-side sampling and the backends it may send trace context to, and the APIs the page calls.
export interface WebAppConfig {
  /** the Faro receiver's URL (the gateway's, or the tenant's host) */
  readonly faroUrl: string;
  readonly app: { readonly name: string; readonly version: string; readonly environment: string };
  /** level 1 of the seed's protection: the share of sessions the SDK keeps (the tenant's `sampling`) */
  readonly samplingRate: number;
  /**
   * URL prefixes (scheme://host[:port][/path]) of the tenant's own backends: only requests to these carry
   * `traceparent` across origins (the tenant's `propagateTo`)
   */
  readonly propagateTraceHeaderCorsUrls: readonly string[];
  /** the JSON APIs the page calls on load, each shown in its own list item */
  readonly apis: readonly { readonly name: string; readonly url: string }[];
}
