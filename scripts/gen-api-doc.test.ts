import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiDoc } from './api-doc.ts';
import { API_DOC, API_NOTES, fetchOpenApi } from './gen-api-doc.ts';

describe('docs/api.md', () => {
  it('is what the running server documents (run npm run docs:api after changing a route or the notes)', async () => {
    const openapi = await fetchOpenApi();
    expect(readFileSync(API_DOC, 'utf8')).toBe(renderApiDoc(openapi, readFileSync(API_NOTES, 'utf8')));
  });

  it('renders every route with its fields, constraints and the problem a 400 names', () => {
    const doc = renderApiDoc(
      {
        paths: {
          '/api/x/{taskSid}': {
            post: {
              summary: 'Do x',
              security: [{ bearer: [] }],
              parameters: [{ in: 'path', name: 'taskSid', required: true, schema: { type: 'string', pattern: '^WT[0-9a-f]{32}$', 'x-sid': 'task' } }],
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['to'],
                      properties: { to: { type: 'string', minLength: 1, 'x-problem': 'is required' } },
                    },
                  },
                },
              },
              responses: {
                200: {
                  description: 'ok',
                  content: { 'application/json': { schema: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } } },
                },
              },
            },
          },
        },
      },
      '# Title\n\nIntro prose.\n',
    );
    expect(doc).toContain('Intro prose.');
    expect(doc).toContain('### `POST /api/x/{taskSid}`');
    expect(doc).toContain('Authentication: `Authorization: Bearer <token>`.');
    expect(doc).toContain('| `taskSid` | `string` | yes | a SID (`^WT[0-9a-f]{32}$`) |');
    expect(doc).toContain('| `to` | `string` | yes | at least 1 characters; 400 otherwise: "is required" |');
    expect(doc).toContain('Query parameters: none (any is refused with 400).');
    expect(doc).toContain('- 200: `{ ok: boolean; }`');
  });
});
