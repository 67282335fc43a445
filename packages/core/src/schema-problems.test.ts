import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { fieldPath, schemaProblems, typeName } from './schema-problems.ts';

const Schema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
    mode: Type.Optional(Type.Enum(['a', 'b'])),
    on: Type.Optional(Type.Boolean({ problem: (v: unknown) => `must be on or off, got ${typeName(v)}` })),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z]+$', problem: 'must be lowercase letters' }))),
  },
  { additionalProperties: false },
);

const lines = (value: unknown) =>
  schemaProblems(Schema, value, { got: (v) => `, got ${JSON.stringify(v)}` }).map((p) => `${fieldPath(p.path, 'cfg')}: ${p.problem}`);

describe('schemaProblems', () => {
  it('a valid value has no problems', () => {
    expect(schemaProblems(Schema, { name: 'x', size: 3, mode: 'a', on: true, tags: ['ok'] })).toEqual([]);
  });

  it('lists every problem once, by field, with generic texts, annotations and the value', () => {
    expect(lines({ size: 10, mode: 'c', on: 'yes', tags: ['ok', 'Bad'], extra: 1 })).toEqual(
      expect.arrayContaining([
        'cfg.name: required',
        'cfg.extra: unknown key',
        'cfg.size: must be between 1 and 9, got 10',
        'cfg.mode: must be one of a, b, got "c"',
        'cfg.on: must be on or off, got string',
        'cfg.tags[1]: must be lowercase letters, got "Bad"',
      ]),
    );
    expect(lines({ size: 10, mode: 'c', on: 'yes', tags: ['ok', 'Bad'], extra: 1 })).toHaveLength(6);
  });

  it('reports more than TypeBox buffers by default (8), and no more than asked', () => {
    const many = { name: 'x', tags: Array.from({ length: 20 }, () => 'BAD') };
    expect(schemaProblems(Schema, many)).toHaveLength(20);
    expect(schemaProblems(Schema, many, { max: 3 })).toHaveLength(3);
  });

  it('names the root itself when the value is not an object', () => {
    expect(lines([])).toEqual(['cfg: must be an object, got []']);
  });
});

describe('fieldPath', () => {
  it('joins keys with dots and indexes in brackets', () => {
    expect(fieldPath(['users', 0, 'role'], 'config')).toBe('config.users[0].role');
    expect(fieldPath(['PORT'])).toBe('PORT');
    expect(fieldPath([], 'config')).toBe('config');
  });
});
