import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API at `/` (same origin): `npx vite` proxies the API for development.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // No inline script or style may be needed: the API's Content-Security-Policy forbids inline scripts.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // Libraries change less often than the panel: their chunk stays cached across releases.
        advancedChunks: {
          groups: [{ name: 'vendor', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|react-intl|@formatjs|intl-messageformat|openapi-fetch)[\\/]/ }],
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.RUCHE_API_URL ?? 'http://127.0.0.1:3000' },
  },
});
