/**
 * The safety tests write what they checked to `.tmp/reliability/<name>.json` (gitignored);
 * `npm run reliability-report` renders docs/reliability.md from those files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const RELIABILITY_DIR = fileURLToPath(new URL('../../../../.tmp/reliability/', import.meta.url));

export function writeCounts(name: string, counts: Record<string, unknown>): void {
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  writeFileSync(join(RELIABILITY_DIR, `${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), ...counts }, null, 2) + '\n');
}
