/**
 * The lint rules the code relies on (eslint.config.js) really fire: each case lints deliberately
 * broken code through ESLint's Node API with the repository's own config, as `npm run lint`
 * does, and expects the rule's error; the controls expect none (so a rule that flags everything
 * would fail too). The code is linted as if it were the content of an existing file, so the
 * type-aware rules get the real TypeScript program of that file's project.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
// Under CI=true typescript-eslint infers a "single run" and parses files from the TypeScript program
// built from disk, ignoring the text given to lintText: these cases would then lint the files as they
// are, not the broken code. Ask it for the text as given.
process.env['TSESTREE_SINGLE_RUN'] = 'false';
const eslint = new ESLint({ cwd: ROOT });

const DESKTOP_FILE = 'packages/agent-desktop/src/lib/time-format.ts';
const DESKTOP_COMPONENT = 'packages/agent-desktop/src/features/shortcuts/ThrottleInput.tsx';
const SERVER_FILE = 'packages/server/src/pause/actor.ts';

async function lint(code: string, file: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

// The first lint builds the TypeScript programs of both projects: slow on a busy machine.
const SLOW = 180_000;

describe('import boundaries', () => {
  it(
    "refuses another package's src/ and accepts its exports",
    async () => {
      const broken = await lint("export { readWav } from '../../../voice-engine/src/audio/index.ts';\n", SERVER_FILE);
      expect(broken).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/through its exports/) });
      const scoped = await lint("export { startServer } from '@pause-recording/server/src/server.ts';\n", 'packages/voice-engine/src/serialize.ts');
      expect(scoped.map((m) => m.ruleId)).toContain('no-restricted-imports');
      expect(await lint("export { readWav } from '@pause-recording/voice-engine/audio';\n", SERVER_FILE)).toEqual([]);
    },
    SLOW,
  );

  it(
    'keeps Node and the server side out of the desktop, but not out of its tests',
    async () => {
      const node = await lint("import { readFileSync } from 'node:fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n", DESKTOP_FILE);
      expect(node).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/runs in the browser/) });
      const bare = await lint("import path from 'path';\nexport const base = (p: string): string => path.basename(p);\n", DESKTOP_FILE);
      expect(bare.map((m) => m.ruleId)).toContain('no-restricted-imports');
      const server = await lint("export { startServer } from '@pause-recording/server';\n", DESKTOP_FILE);
      expect(server).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/over HTTP/) });
      expect(await lint("export { isActive } from '@pause-recording/core';\n", DESKTOP_FILE)).toEqual([]);
      // The desktop's tests start a real server: Node is theirs to use, beside the code and in test/.
      const nodeCode = "import { tmpdir } from 'node:os';\nexport const dir = tmpdir();\n";
      for (const file of ['packages/agent-desktop/src/lib/env.test.ts', 'packages/agent-desktop/test/api-client.test.ts']) {
        expect((await lint(nodeCode, file)).map((m) => m.ruleId)).not.toContain('no-restricted-imports');
      }
    },
    SLOW,
  );

  it(
    'keeps the test tree out of shipped code, but not out of the tests',
    async () => {
      const server = await lint("export { startSystem } from '../../test/support/system.ts';\n", SERVER_FILE);
      expect(server).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/never imports the test tree/) });
      const desktop = await lint("export { task } from '../../test/support/fixtures.ts';\n", DESKTOP_FILE);
      expect(desktop).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/never imports the test tree/) });
      expect(await lint("export { startSystem } from '../../test/support/system.ts';\n", 'packages/server/src/auth/auth.test.ts')).toEqual([]);
      expect(await lint("export { task } from '../../../test/support/fixtures.ts';\n", 'packages/agent-desktop/src/features/tasks/tasks.test.tsx')).toEqual([]);
    },
    SLOW,
  );
});

describe('type-aware promise rules', () => {
  it(
    'flags a floating promise, a misused promise and awaiting a non-promise',
    async () => {
      const code = [
        'async function save(): Promise<void> {}',
        'export function run(): void {',
        '  save();',
        '  if (save()) return;',
        '}',
        'export async function twice(): Promise<number> {',
        '  return await 2;',
        '}',
        '',
      ].join('\n');
      const rules = (await lint(code, SERVER_FILE)).map((m) => m.ruleId);
      expect(rules).toContain('@typescript-eslint/no-floating-promises');
      expect(rules).toContain('@typescript-eslint/no-misused-promises');
      expect(rules).toContain('@typescript-eslint/await-thenable');
      const handled = 'async function save(): Promise<void> {}\nexport async function run(): Promise<void> {\n  await save();\n  void save();\n}\n';
      expect(await lint(handled, SERVER_FILE)).toEqual([]);
    },
    SLOW,
  );
});

describe('React hooks', () => {
  it(
    'flags a hook called conditionally in a desktop component',
    async () => {
      const code = [
        "import { useState } from 'react';",
        'export function Broken({ on }: { on: boolean }) {',
        '  if (on) {',
        '    const [n] = useState(0);',
        '    return <span>{n}</span>;',
        '  }',
        '  return null;',
        '}',
        '',
      ].join('\n');
      expect((await lint(code, DESKTOP_COMPONENT)).map((m) => m.ruleId)).toContain('react-hooks/rules-of-hooks');
    },
    SLOW,
  );
});
