// The renderer is a static bundle: the host serves it (browser mode) or Electron
// loads it from app:// — hence relative asset paths. No inline script or style ends
// up in the output, so the host's strict Content-Security-Policy holds.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// During `vite dev`, forward the API socket to a running `sijill serve` (e.g. SIJILL_HOST=http://127.0.0.1:7860).
const devHost = process.env.SIJILL_HOST;

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Chromium only (Electron or the clinic's browser): no polyfill needed.
    modulePreload: { polyfill: false },
  },
  server: devHost ? { proxy: { '/api': { target: devHost, ws: true } } } : {},
});
