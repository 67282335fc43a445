import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../errors.ts';
import { matches, parseAttributes, parseExpression } from './expressions.ts';
import { parseWorkflowConfiguration, routeTask } from './workflow-config.ts';

const alice = { skills: ['support', 'billing'], level: 3, team: 'blue', contact_uri: 'client:alice', routing: { lang: 'fr' } };

describe('TaskRouter expressions (the supported subset)', () => {
  it.each([
    ['1==1', true],
    ['1 == 1', true],
    ["skills HAS 'support'", true],
    ["skills has 'sales'", false],
    ["team == 'blue'", true],
    ['team == "red"', false],
    ["team != 'red'", true],
    ['level == 3', true],
    ["routing.lang == 'fr'", true],
    ["team IN ['red', 'blue']", true],
    ["skills HAS 'sales' OR team == 'blue'", true],
    ["skills HAS 'support' AND team == 'red'", false],
    ["skills HAS 'support' AND level == 3 AND routing.lang == 'fr'", true],
    ["missing == 'x'", false],
  ])('%s -> %s', (expr, want) => {
    expect(matches(parseExpression(expr, 'TargetWorkers'), alice)).toBe(want);
  });

  it.each(['', 'skills CONTAINS x', 'team == blue', 'level > 2', "team IN 'blue'"])('refuses %j naming the parameter', (expr) => {
    expect(() => parseExpression(expr, 'TargetWorkers')).toThrow(InvalidParameterError);
    expect(() => parseExpression(expr, 'TargetWorkers')).toThrow(/TargetWorkers/);
  });

  it('attributes must be a JSON object', () => {
    expect(parseAttributes('{"a":1}', 'Attributes')).toEqual({ a: 1 });
    for (const bad of ['[]', '1', 'null', 'nope']) expect(() => parseAttributes(bad, 'Attributes')).toThrow(/Attributes/);
  });
});

describe('workflow configuration', () => {
  const Q1 = `WQ${'1'.repeat(32)}`;
  const Q2 = `WQ${'2'.repeat(32)}`;

  it('routes by the first matching filter, else the default queue', () => {
    const config = parseWorkflowConfiguration(
      JSON.stringify({ task_routing: { filters: [{ expression: "type == 'vip'", targets: [{ queue: Q1 }] }], default_filter: { queue: Q2 } } }),
    );
    expect(config.queues.sort()).toEqual([Q1, Q2]);
    expect(routeTask(config, { type: 'vip' })).toBe(Q1);
    expect(routeTask(config, { type: 'normal' })).toBe(Q2);
  });

  it('a task no filter matches and with no default enters no queue', () => {
    const config = parseWorkflowConfiguration(JSON.stringify({ task_routing: { filters: [{ expression: "type == 'vip'", targets: [{ queue: Q1 }] }] } }));
    expect(routeTask(config, {})).toBeNull();
  });

  it.each([
    ['not json', /must be JSON/],
    ['{}', /task_routing/],
    ['{"task_routing":{}}', /filters or task_routing.default_filter/],
    ['{"task_routing":{"default_filter":{"queue":"nope"}}}', /TaskQueue SID/],
    [JSON.stringify({ task_routing: { filters: [{ targets: [{ queue: Q1, priority: 2 }] }] } }), /priority/],
    [JSON.stringify({ task_routing: { filters: [{ targets: [] }] } }), /exactly one target/],
  ])('refuses %s', (text, problem) => {
    expect(() => parseWorkflowConfiguration(text)).toThrow(problem);
  });
});
