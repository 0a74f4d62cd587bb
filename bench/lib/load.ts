/** One load run with autocannon after a warm-up: req/s, latency percentiles, errors. */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** Bodies sent in turn, one per request (e.g. exchanges of many different PATs); overrides `body`. */
  bodies?: string[];
  headers?: Record<string, string>;
  /** Headers made afresh for every request (a DPoP proof), on top of `headers`. */
  perRequestHeaders?: () => Record<string, string>;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** autocannon request objects cycling through `bodies`, each connection from its own offset. */
function rotating(bodies: string[], spec: LoadSpec) {
  let next = 0;
  const fresh = spec.perRequestHeaders;
  return [
    {
      setupRequest: (request: autocannon.Request) => {
        request.body = bodies[next++ % bodies.length] as string;
        if (fresh) request.headers = { ...spec.headers, ...fresh() };
        return request;
      },
    },
  ];
}

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: spec.url,
    method: spec.method ?? 'GET',
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.bodies ? { requests: rotating(spec.bodies, spec) } : {}),
    ...(spec.headers ? { headers: spec.headers } : {}),
    connections: spec.connections,
    duration: seconds,
  });
}

export async function measure(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  const result = await run(spec, spec.seconds);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
