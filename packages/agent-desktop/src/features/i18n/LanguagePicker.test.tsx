import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { renderWithI18n } from '../../../test/support/render.tsx';
import { LanguagePicker } from './LanguagePicker.tsx';

function Probe() {
  const t = useT();
  return <button type="button">{t('pauseRecording')}</button>;
}

describe('LanguagePicker', () => {
  it('offers the six languages, switches every string at once and remembers the choice', async () => {
    renderWithI18n(
      <>
        <LanguagePicker />
        <Probe />
      </>,
    );
    const select = screen.getByRole('combobox', { name: 'Language' });
    expect(screen.getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['en-US', 'es-MX', 'es-ES', 'pt-BR', 'th', 'zh-Hans']);
    await userEvent.selectOptions(select, 'zh-Hans');
    expect(screen.getByRole('button', { name: '暂停录音' })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: '语言' })).toBeTruthy();
    expect(localStorage.getItem('agentDesktop.locale')).toBe('zh-Hans');
    expect(document.documentElement.lang).toBe('zh-Hans');
  });
});
