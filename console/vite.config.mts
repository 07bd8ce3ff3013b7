// The console's build: Preact components bundled by Vite into dist/console, which the
// coordinator serves at /console. Paths are relative to the project root, where npm runs it.
import { defineConfig } from 'vite';

const coordinator = `http://127.0.0.1:${process.env.ORDER_SERVICE_PORT ?? 8000}`;

export default defineConfig({
  root: 'console',
  base: '/console/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // Every asset is a file: inlined data URLs would need a looser Content-Security-Policy.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
  },
  // `npm run console:dev` serves the sources with reload and sends API calls to a running
  // coordinator (`npm start`), so the console can be worked on against live data.
  server: {
    proxy: Object.fromEntries(
      ['/orders', '/sagas', '/admin', '/metrics', '/console/config.json'].map((path) => [
        path,
        coordinator,
      ]),
    ),
  },
});
