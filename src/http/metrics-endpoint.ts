import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/** Serves the registry at `path` (no token: like /health, for the infrastructure, not the users). */
export function useMetricsEndpoint(registry: Registry, path: string): Plugin {
  return {
    // Not async: every other request passes by here, and should not pay for a promise.
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== path || request.method !== 'GET') return;
      return registry.metrics().then((metrics) => {
        endResponse(new fetchAPI.Response(metrics, { headers: { 'content-type': registry.contentType } }));
      });
    },
  };
}
