import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** packages/functions */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = join(PACKAGE_DIR, 'src/functions');
const CORE = resolve(PACKAGE_DIR, '../core/src/index.ts');

function entries(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? entries(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [join(dir, d.name)] : [],
  );
}

/**
 * One CommonJS file per Function (the layout Twilio Serverless deploys and twilio-run serves:
 * `dist/functions/<path>.js` is the route `/<path>`), each with this package's code and the
 * orchestration core bundled in: the core is a workspace package no Twilio build can install.
 * The token validator stays a dependency, installed from npm at deploy.
 */
export async function buildFunctions(outDir = join(PACKAGE_DIR, 'dist')): Promise<string> {
  const functionsDir = join(outDir, 'functions');
  rmSync(functionsDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: entries(SOURCES),
    outbase: SOURCES,
    outdir: functionsDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['twilio', 'twilio-flex-token-validator'],
    alias: { '@pause-recording/core': CORE },
    logLevel: 'warning',
  });
  // The package itself is ESM (its TypeScript); the built Functions are CommonJS, as the runtime loads them.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  return functionsDir;
}
