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
      return `export const ${name} = ${JSON.stringify(compiled)};`;
    },
  };
}

// Served by the API at `/` (same origin): `npx vite` proxies the API for development.
export default defineConfig(({ command }) => ({
  plugins: [react(), ...(command === 'build' ? [precompiledMessages()] : [])],
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
