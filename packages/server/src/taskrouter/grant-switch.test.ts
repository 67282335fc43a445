import { describe, expect, it } from 'vitest';
import { eventRouteProblem } from './grant-switch.ts';

const want = 'https://pause.example.com/webhooks/taskrouter-events';

describe("the workspace's events reach this server", () => {
  it('when its EventCallbackUrl is exactly the event route and no EventsFilter holds events back', () => {
    expect(eventRouteProblem({ url: want, filter: null }, want)).toBeNull();
    expect(eventRouteProblem({ url: want, filter: ' ' }, want)).toBeNull();
  });

  it('not when the URL is unset or another, or a filter lets only some events through', () => {
    expect(eventRouteProblem({ url: null, filter: null }, want)).toMatch(/EventCallbackUrl is not set/);
    expect(eventRouteProblem({ url: want + '/', filter: null }, want)).toMatch(/EventCallbackUrl is ".*\/", not https/);
    expect(eventRouteProblem({ url: 'http://pause.example.com/webhooks/taskrouter-events', filter: null }, want)).toMatch(/not https/);
    expect(eventRouteProblem({ url: want, filter: 'task.created,task.completed' }, want)).toMatch(
      /EventsFilter \("task.created,task.completed"\) holds back events/,
    );
  });
});
