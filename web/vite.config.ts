import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The pages, built into web/dist, which the API serves. `npm run web:dev` serves them with
// hot reload and passes the API's routes through to a running `npm start`.
const apiTarget = process.env['API_URL'] ?? 'http://127.0.0.1:3000';
const apiPaths = ['/public/households', '/public/recognitions', '/public/publicity', '/publicity', '/support-measures', '/households', '/applications', '/recommendations', '/cases', '/worklist', '/quotas', '/tiering', '/imports', '/recognitions', '/session', '/calendar', '/demo', '/departments', '/notifications', '/health', '/docs'];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: apiTarget, bypass: (req) => (req.headers.accept?.includes('text/html') ? req.url : undefined) }])),
  },
});
