import { readFile } from 'node:fs/promises';
import { parse } from '@formatjs/icu-messageformat-parser';
import react from '@vitejs/plugin-react';
import { defineConfig, transformWithOxc, type Plugin } from 'vite';

/**
 * The message catalogues ship already parsed (ICU syntax trees), as FormatJS recommends: the
 * browser gets no message parser (about 30 kB less to run before the first page) and formats
 * without parsing. A message with bad ICU syntax fails the build here.
 */
function precompiledMessages(): Plugin {
  return {
    name: 'ruche:precompiled-messages',
    enforce: 'pre',
    async load(id) {
      const match = /[\\/]src[\\/]i18n[\\/](en|fr)-CA\.ts$/.exec(id);
      if (!match) return null;
      const { code } = await transformWithOxc(await readFile(id, 'utf8'), id, { lang: 'ts' });
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<string, Record<string, string>>;
      const name = match[1]!;
      const compiled = Object.fromEntries(Object.entries(module[name]!).map(([key, message]) => [key, parse(message)]));
      // JSON.parse of a string is quicker for the browser than the same object as a literal.
      return `export const ${name} = JSON.parse(${JSON.stringify(JSON.stringify(compiled))});`;
    },
  };
}

/**
 * The first script (main.tsx) is small and imports the app dynamically, so that it can start
 * the app, the catalogue and the page's chunk at once. The app and its libraries are still
 * fetched from the HTML, as static imports are: they are listed for preload in index.html.
 */
function preloadApp(): Plugin {
  return {
    name: 'ruche:preload-app',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle, chunk: entry }) {
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
        const app = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('/src/app.tsx'));
        if (!app) throw new Error('ruche:preload-app: no chunk for src/app.tsx');
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          for (const imported of chunks.find((chunk) => chunk.fileName === fileName)?.imports ?? []) visit(imported);
        };
        visit(app.fileName);
        if (entry) files.delete(entry.fileName);
        return [...files].map((fileName) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${fileName}` }, injectTo: 'head' as const }));
      },
    },
  };
}

// Served by the API at `/` (same origin): `npx vite` proxies the API for development.
export default defineConfig(({ command }) => ({
  plugins: [react(), ...(command === 'build' ? [precompiledMessages(), preloadApp()] : [])],
  resolve: {
    // Every message arrives parsed (see above): the runtime needs the parser's types only.
    alias: command === 'build' ? [{ find: /^@formatjs\/icu-messageformat-parser$/, replacement: '@formatjs/icu-messageformat-parser/no-parser.js' }] : [],
  },
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
}));
