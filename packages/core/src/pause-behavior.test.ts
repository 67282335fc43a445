import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSE_BEHAVIOR, PAUSE_BEHAVIORS, isPauseBehavior, pauseBehaviorFor } from './pause-behavior.ts';

describe('pause behaviours', () => {
  it('are skip and silence, and Twilio defaults to silence', () => {
    expect(PAUSE_BEHAVIORS).toEqual(['skip', 'silence']);
    expect(DEFAULT_PAUSE_BEHAVIOR).toBe('silence');
  });

  it('isPauseBehavior accepts exactly the two spellings Twilio uses', () => {
    expect(isPauseBehavior('skip')).toBe(true);
    expect(isPauseBehavior('silence')).toBe(true);
    for (const v of ['Skip', 'SILENCE', ' skip', 'skip ', '', 'mute', 'include_silence', undefined, null, true, 0, ['skip'], { skip: true }]) {
      expect(isPauseBehavior(v), JSON.stringify(v)).toBe(false);
    }
  });

  it('isPauseBehavior does not accept inherited array properties', () => {
    expect(isPauseBehavior('length')).toBe(false);
    expect(isPauseBehavior('includes')).toBe(false);
  });

  it('pauseBehaviorFor maps flex-config include_silence to the behaviour', () => {
    expect(pauseBehaviorFor(true)).toBe('silence');
    expect(pauseBehaviorFor(false)).toBe('skip');
  });
});
