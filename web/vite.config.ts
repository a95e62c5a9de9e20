import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { devMockApi } from './dev/mockApi.js';

// Built into web/dist, which the server serves at `/`. Under `vite` dev the API is either a
// running server (DISTILLGUARD_API=http://127.0.0.1:8080, proxied) or the small mock; the mock is
// `apply: 'serve'` only, so the shipped bundle always talks to the real server.
const apiTarget = process.env.DISTILLGUARD_API;

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), ...(apiTarget ? [] : [devMockApi()])],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    // src/contracts modules only define constants and schemas, so the bundle keeps just the ones
    // the dashboard uses (LEVELS, LEVEL_COLOURS, niceTicks, the formats: no zod) rather than every schema.
    rollupOptions: { treeshake: { moduleSideEffects: (id) => !id.includes('/src/contracts/') } },
  },
  server: {
    port: 5173,
    proxy: apiTarget ? { '/v1': apiTarget, '/healthz': apiTarget, '/openapi.json': apiTarget } : undefined,
  },
});
