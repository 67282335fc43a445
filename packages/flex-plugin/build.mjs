/**
 * Builds build/plugin-pause-recording.js the way `flex-plugin-scripts build` does for Flex's plugin
 * loader: one browser script that takes React, ReactDOM, Redux, ReactRedux and @twilio/flex-ui
 * from Flex at runtime (window.React, window.ReactDOM, window.Redux, window.ReactRedux,
 * window.Twilio.Flex) and calls Twilio.Flex.Plugins.init(PauseRecordingPlugin).
 * Usage: node build.mjs [--outdir DIR]
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--outdir');
const outdir = i > 0 && process.argv[i + 1] ? process.argv[i + 1] : join(here, 'build');

/** Flex's runtime globals, as flex-plugin-scripts' webpack externals. */
const FLEX_GLOBALS = {
  react: 'React',
  'react-dom': 'ReactDOM',
  redux: 'Redux',
  'react-redux': 'ReactRedux',
  '@twilio/flex-ui': 'Twilio.Flex',
};

const flexGlobals = {
  name: 'flex-globals',
  setup(b) {
    b.onResolve({ filter: /^(react|react-dom|redux|react-redux|@twilio\/flex-ui)$/ }, (args) => ({ path: args.path, namespace: 'flex-global' }));
    b.onLoad({ filter: /.*/, namespace: 'flex-global' }, (args) => {
      const name = FLEX_GLOBALS[args.path];
      // Fails loudly at load time if Flex does not provide it, instead of at the first render.
      return {
        loader: 'js',
        contents: `var g = window.${name}; if (!g) throw new Error('plugin-pause-recording: Flex did not provide window.${name}'); module.exports = g;`,
      };
    });
  },
};

const result = await build({
  entryPoints: [join(here, 'src/index.ts')],
  outfile: join(outdir, 'plugin-pause-recording.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2019'],
  jsx: 'automatic',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [flexGlobals],
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`wrote ${join(outdir, 'plugin-pause-recording.js')} (${bytes} bytes)`);
