import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The agent console's build: Preact through Vite into `console/dist/`. One build serves both
 * places: the local cloud at `http://127.0.0.1:$PORT/console/` and CloudFront, where the files sit
 * under `console/` in the bucket, so the base path is `/console/` in both. Where the API and the
 * sign-in are is read at run time from `config.json`, never built in.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  resolve: {
    alias: {
      // The console imports route paths and view types from the shared contracts, never server code.
      '#lambdas': fileURLToPath(new URL('../lambdas', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The first-load budget is checked by `npm run bench:console` on compressed sizes.
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  server: { port: 5173, strictPort: false },
});
