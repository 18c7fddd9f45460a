// /ready: 200 when every dependency answers in time, 503 naming those that did not. Open like /health,
// for load balancers and orchestrators; the body says which checks ran and how they went.
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import { allUp, type DependencyChecks } from '../health/dependencies.js';

export function useReadiness(dependencies: DependencyChecks, endpoint: string): Plugin {
  return useReadinessCheck({
    endpoint,
    async check({ fetchAPI }) {
      const checks = await dependencies.check();
      const ready = allUp(checks);
      return fetchAPI.Response.json(
        { ready, checks },
        { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
      );
    },
  });
}
