import { act, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { NotificationStore } from './notification-store.ts';
import { Notifications } from './Notifications.tsx';

describe('Notifications', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows a banner in the current language and removes it after 3 s', () => {
    const store = new NotificationStore();
    renderWithI18n(<Notifications store={store} />);
    act(() => store.notify({ id: 'x', kind: 'warning', message: 'notifPaused' }));
    expect(screen.getByRole('alert').textContent).toContain('Call recording paused');
    act(() => void vi.advanceTimersByTime(2999));
    expect(screen.queryByRole('alert')).not.toBeNull();
    act(() => void vi.advanceTimersByTime(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('the close button removes the banner', () => {
    vi.useRealTimers();
    const store = new NotificationStore();
    renderWithI18n(<Notifications store={store} />);
    act(() => store.notify({ id: 'x', kind: 'success', message: 'notifResumed' }));
    expect(screen.getByRole('status').textContent).toContain('Call recording resumed');
    return userEvent.click(screen.getByRole('button', { name: 'Close' })).then(() => {
      expect(screen.queryByRole('status')).toBeNull();
    });
  });

  it('a sticky alarm has no close button and outlives the timeout until dismissed in code', () => {
    const store = new NotificationStore();
    renderWithI18n(<Notifications store={store} />);
    act(() => store.notify({ id: 'alarm', kind: 'error', message: 'notifAlarm', params: { count: 1 }, sticky: true }));
    act(() => void vi.advanceTimersByTime(60_000));
    expect(screen.getByRole('alert').textContent).toContain('1 recording(s) still capturing');
    expect(screen.queryByRole('button', { name: 'Close' })).toBeNull();
    act(() => store.dismiss('alarm'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('the same id replaces the earlier banner instead of stacking', () => {
    const store = new NotificationStore();
    renderWithI18n(<Notifications store={store} />);
    act(() => store.notify({ id: 'rec', kind: 'warning', message: 'notifPaused' }));
    act(() => store.notify({ id: 'rec', kind: 'success', message: 'notifResumed' }));
    expect(screen.queryAllByRole('alert')).toHaveLength(0);
    expect(screen.getAllByRole('status')).toHaveLength(1);
  });
});
