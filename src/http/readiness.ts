// /ready: 200 when every dependency answers in time, 503 naming those that did not. Open like /health,
// for load balancers and orchestrators; the body says which checks ran and how they went. A path comparison
// rather than Yoga's useReadinessCheck, which tests a URLPattern against every request that passes by.
import type { Plugin } from 'graphql-yoga';
import { allUp, type DependencyChecks } from '../health/dependencies.js';

export function useReadiness(dependencies: DependencyChecks, endpoint: string): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      return dependencies.check().then(
        (checks) => {
          const ready = allUp(checks);
          endResponse(
            fetchAPI.Response.json(
              { ready, checks },
              { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
            ),
          );
        },
        () => endResponse(new fetchAPI.Response(null, { status: 503, headers: { 'cache-control': 'no-store' } })),
      );
    },
  };
}
