import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { LoginPage } from './LoginPage.tsx';

describe('LoginPage', () => {
  it('signs in with Agent and Password, and shows why when it fails', async () => {
    const tries: [string, string][] = [];
    renderWithI18n(
      <LoginPage
        onSignIn={async (identity, password) => {
          tries.push([identity, password]);
          if (password !== 'demo') throw new Error('identity or password is wrong');
        }}
      />,
    );
    await userEvent.type(screen.getByLabelText('Agent'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Sign-in failed: identity or password is wrong');
    await userEvent.clear(screen.getByLabelText('Password'));
    await userEvent.type(screen.getByLabelText('Password'), 'demo{Enter}');
    expect(tries).toEqual([
      ['alice', 'nope'],
      ['alice', 'demo'],
    ]);
  });
});
