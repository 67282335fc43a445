import { describe, expect, it } from 'vitest';
import { recState, task } from '../../../test/support/fixtures.ts';
import { ActionAbortedError, ActionsRegistry, UnknownActionError } from './actions-registry.ts';

describe('ActionsRegistry', () => {
  it('runs before-listeners, the action, then after-listeners with its result, in that order', async () => {
    const reg = new ActionsRegistry();
    const log: string[] = [];
    reg.registerAction('PauseCallRecording', async ({ task: t }) => {
      log.push(`pause ${t.sid}`);
      return recState({ status: 'paused' });
    });
    reg.addListener('beforePauseCallRecording', () => void log.push('before'));
    reg.addListener('afterPauseCallRecording', (_p, result) => void log.push(`after ${result?.status}`));
    const result = await reg.invokeAction('PauseCallRecording', { task: task() });
    expect(result?.status).toBe('paused');
    expect(log).toEqual(['before', `pause ${task().sid}`, 'after paused']);
  });

  it('a before-listener that aborts stops the action and rejects the invocation', async () => {
    const reg = new ActionsRegistry();
    let ran = false;
    let afterRan = false;
    reg.registerAction('ResumeCallRecording', async () => {
      ran = true;
      return null;
    });
    reg.addListener('beforeResumeCallRecording', (_p, abort) => abort());
    reg.addListener('afterResumeCallRecording', () => void (afterRan = true));
    await expect(reg.invokeAction('ResumeCallRecording', { task: task() })).rejects.toBeInstanceOf(ActionAbortedError);
    expect(ran).toBe(false);
    expect(afterRan).toBe(false);
  });

  it('replaceAction wraps the original, which the replacement may still call', async () => {
    const reg = new ActionsRegistry();
    reg.registerAction('ToggleCallRecording', async () => recState({ status: 'paused' }));
    const seen: string[] = [];
    reg.replaceAction('ToggleCallRecording', async (payload, original) => {
      seen.push('replacement');
      const r = await original(payload);
      seen.push(`original said ${r?.status}`);
      return r;
    });
    await reg.invokeAction('ToggleCallRecording', { task: task() });
    expect(seen).toEqual(['replacement', 'original said paused']);
  });

  it('a removed listener no longer runs', async () => {
    const reg = new ActionsRegistry();
    reg.registerAction('PauseCallRecording', async () => null);
    let calls = 0;
    const off = reg.addListener('beforePauseCallRecording', () => void calls++);
    await reg.invokeAction('PauseCallRecording', { task: task() });
    off();
    await reg.invokeAction('PauseCallRecording', { task: task() });
    expect(calls).toBe(1);
  });

  it('invoking or replacing an unregistered action fails loudly', async () => {
    const reg = new ActionsRegistry();
    await expect(reg.invokeAction('PauseCallRecording', { task: task() })).rejects.toBeInstanceOf(UnknownActionError);
    expect(() => reg.replaceAction('PauseCallRecording', async () => null)).toThrow(UnknownActionError);
  });
});
