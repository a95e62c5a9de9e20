import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { devMockApi } from './dev/mockApi.js';

// Built into web/dist, which the server serves at `/`. The mock API exists only under `vite` dev
// (apply: 'serve'), so the shipped bundle always talks to the real server.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), devMockApi()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { port: 5173 },
});
