import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/** Serves the registry at `path` (no token: like /health, for the infrastructure, not the users). */
export function useMetricsEndpoint(registry: Registry, path: string): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== path || request.method !== 'GET') return;
      endResponse(
        new fetchAPI.Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }),
      );
    },
  };
}
