import { AppError, AuditQuery, LoginRequest, NoFields, SimulatorCallRequest, TaskParams } from '@pause-recording/core';
import type { FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { schemaErrorFormatter, schemaProblems, typeBoxValidator } from './validation.ts';

/** What the server answers for `value` in `part` of a request with `schema`: the value it keeps, or its 400. */
function validate(schema: TSchema, httpPart: string, value: unknown): { value?: unknown; error?: AppError } {
  const check = typeBoxValidator({ schema, httpPart, method: 'POST', url: '/x' });
  const r = check(value) as { value?: unknown; error?: FastifySchemaValidationError[] };
  if (r.error === undefined) return { value: r.value };
  const e = schemaErrorFormatter(r.error, httpPart);
  if (!(e instanceof AppError)) throw new Error('not an AppError');
  return { error: e };
}

describe('schema validation answers the server 400', () => {
  it('names each field with the problem the schema states, unknown fields first', () => {
    const { error } = validate(SimulatorCallRequest, 'body', { zzz: 1, from: 1, durationSeconds: 0 });
    expect(error?.toJSON()).toEqual({
      error: {
        code: 'INVALID_PARAMETER',
        field: 'zzz',
        message: 'zzz: unknown field; from: must be an E.164 number like +15551234567; durationSeconds: must be a whole number from 1 to 3600',
        details: {
          problems: [
            { field: 'zzz', problem: 'unknown field' },
            { field: 'from', problem: 'must be an E.164 number like +15551234567' },
            { field: 'durationSeconds', problem: 'must be a whole number from 1 to 3600' },
          ],
        },
      },
    });
    expect(error?.status).toBe(400);
    expect(schemaProblems(error).map((p) => p.field)).toEqual(['zzz', 'from', 'durationSeconds']);
  });

  it('names missing required fields', () => {
    expect(validate(LoginRequest, 'body', { identity: 'alice' }).error?.message).toBe('password: is required (a non-empty string)');
    expect(validate(LoginRequest, 'body', { identity: '', password: 'x' }).error?.field).toBe('identity');
  });

  it('says what is wrong with a SID', () => {
    expect(validate(TaskParams, 'params', { taskSid: 'WT123' }).error?.message).toBe('taskSid: must be 34 characters (WT + 32 hex digits), got 5');
    expect(validate(TaskParams, 'params', { taskSid: 'CA' + '0'.repeat(32) }).error?.message).toBe('taskSid: must start with WT');
    expect(validate(AuditQuery, 'querystring', { taskSid: '' }).value).toEqual({ taskSid: '' });
  });

  it('refuses a body that is not an object, and takes an absent one as {}', () => {
    expect(validate(NoFields, 'body', [1, 2]).error?.message).toBe('body: must be a JSON object');
    expect(validate(NoFields, 'body', 'text').error?.field).toBe('body');
    expect(validate(NoFields, 'body', undefined).value).toEqual({});
    expect(validate(NoFields, 'body', null).value).toEqual({});
  });

  it('refuses unknown query parameters, and credentials in the URL with their own reason', () => {
    expect(validate(NoFields, 'querystring', { zzz: '1' }).error?.message).toBe('zzz: unknown query parameter');
    expect(validate(NoFields, 'querystring', { access_token: 'x' }).error?.message).toContain('access_token: credentials do not belong in the URL');
    expect(validate(AuditQuery, 'querystring', { format: 'xml' }).error?.message).toBe('format: must be json or csv');
  });
});
