/**
 * The feature's strings in the desktop's six locales (the same translations), in Flex's template
 * syntax (`{{reason}}`): they go into Flex's string manager (`manager.strings`), where a customer's
 * own overrides win.
 */
export const StringTemplates = {
  RECORDING_PAUSED: 'PSRecordingPaused',
  RECORDING_PAUSED_LABEL: 'PSRecordingPausedLabel',
  RESUME_RECORDING: 'PSResumeRecording',
  PAUSE_FAILED: 'PSPauseRecordingFailed',
  RESUME_FAILED: 'PSResumeRecordingFailed',
  PAUSE_TOOLTIP: 'PSPauseRecordingTooltip',
  RESUME_TOOLTIP: 'PSResumeRecordingTooltip',
  NO_RECORDING: 'PSNoRecording',
  PARTIALLY_PAUSED: 'PSRecordingPartiallyPaused',
  PARTIALLY_PAUSED_LABEL: 'PSRecordingPartiallyPausedLabel',
  REMINDER: 'PSRecordingReminder',
  AUTO_RESUMED: 'PSRecordingAutoResumed',
  SUPERVISOR_COLUMN: 'PSRecordingColumnHeader',
  COLUMN_PAUSED_FOR: 'PSRecordingColumnPausedFor',
  COLUMN_PARTIAL_FOR: 'PSRecordingColumnPartialFor',
  SHORTCUT_TOGGLE: 'PSShortcutToggleRecording',
  SHORTCUT_PAUSE: 'PSShortcutPauseRecording',
  SHORTCUT_RESUME: 'PSShortcutResumeRecording',
} as const;

export type StringKey = (typeof StringTemplates)[keyof typeof StringTemplates];
export type Strings = Readonly<Record<StringKey, string>>;

export const enUS: Strings = {
  PSRecordingPaused: 'Call recording paused',
  PSRecordingPausedLabel: 'Call Recording Paused',
  PSResumeRecording: 'Call recording resumed',
  PSPauseRecordingFailed: 'Could not pause the recording: {{reason}}',
  PSResumeRecordingFailed: 'Could not resume the recording: {{reason}}',
  PSPauseRecordingTooltip: 'Pause Recording',
  PSResumeRecordingTooltip: 'Resume Recording',
  PSNoRecording: 'There is no recording to pause.',
  PSRecordingPartiallyPaused: 'Alarm: {{count}} recording(s) still capturing while the call is meant to be paused. Press Pause again or call your supervisor.',
  PSRecordingPartiallyPausedLabel: 'Partially paused: still recording',
  PSRecordingReminder: 'The recording has been paused for {{time}}. Remember to resume it.',
  PSRecordingAutoResumed: 'The recording was resumed automatically.',
  PSRecordingColumnHeader: 'Recording',
  PSRecordingColumnPausedFor: 'Paused for {{time}}',
  PSRecordingColumnPartialFor: 'Partially paused for {{time}}: still recording',
  PSShortcutToggleRecording: 'Toggle recording',
  PSShortcutPauseRecording: 'Pause recording',
  PSShortcutResumeRecording: 'Resume recording',
};

export const esES: Strings = {
  PSRecordingPaused: 'Grabación de la llamada en pausa',
  PSRecordingPausedLabel: 'Grabación de la llamada en pausa',
  PSResumeRecording: 'Grabación de la llamada reanudada',
  PSPauseRecordingFailed: 'No se pudo pausar la grabación: {{reason}}',
  PSResumeRecordingFailed: 'No se pudo reanudar la grabación: {{reason}}',
  PSPauseRecordingTooltip: 'Pausar grabación',
  PSResumeRecordingTooltip: 'Reanudar grabación',
  PSNoRecording: 'No hay ninguna grabación que pausar.',
  PSRecordingPartiallyPaused:
    'Alarma: {{count}} grabación(es) siguen grabando aunque la llamada debería estar en pausa. Vuelve a pulsar Pausar o avisa a tu supervisor.',
  PSRecordingPartiallyPausedLabel: 'Pausa parcial: todavía graba',
  PSRecordingReminder: 'La grabación lleva {{time}} en pausa. Recuerda reanudarla.',
  PSRecordingAutoResumed: 'La grabación se reanudó automáticamente.',
  PSRecordingColumnHeader: 'Grabación',
  PSRecordingColumnPausedFor: 'En pausa durante {{time}}',
  PSRecordingColumnPartialFor: 'Pausa parcial durante {{time}}: todavía graba',
  PSShortcutToggleRecording: 'Alternar grabación',
  PSShortcutPauseRecording: 'Pausar grabación',
  PSShortcutResumeRecording: 'Reanudar grabación',
};

export const esMX: Strings = {
  PSRecordingPaused: 'Grabación de la llamada en pausa',
  PSRecordingPausedLabel: 'Grabación de la llamada en pausa',
  PSResumeRecording: 'Grabación de la llamada reanudada',
  PSPauseRecordingFailed: 'No se pudo pausar la grabación: {{reason}}',
  PSResumeRecordingFailed: 'No se pudo reanudar la grabación: {{reason}}',
  PSPauseRecordingTooltip: 'Pausar grabación',
  PSResumeRecordingTooltip: 'Reanudar grabación',
  PSNoRecording: 'No hay ninguna grabación que pausar.',
  PSRecordingPartiallyPaused:
    'Alarma: {{count}} grabación(es) siguen grabando aunque la llamada debería estar en pausa. Pulsa Pausar otra vez o llama a tu supervisor.',
  PSRecordingPartiallyPausedLabel: 'Pausa parcial: todavía graba',
  PSRecordingReminder: 'La grabación lleva {{time}} en pausa. No olvides reanudarla.',
  PSRecordingAutoResumed: 'La grabación se reanudó automáticamente.',
  PSRecordingColumnHeader: 'Grabación',
  PSRecordingColumnPausedFor: 'En pausa desde hace {{time}}',
  PSRecordingColumnPartialFor: 'Pausa parcial desde hace {{time}}: todavía graba',
  PSShortcutToggleRecording: 'Alternar grabación',
  PSShortcutPauseRecording: 'Pausar grabación',
  PSShortcutResumeRecording: 'Reanudar grabación',
};

export const ptBR: Strings = {
  PSRecordingPaused: 'Gravação da chamada pausada',
  PSRecordingPausedLabel: 'Gravação da chamada pausada',
  PSResumeRecording: 'Gravação da chamada retomada',
  PSPauseRecordingFailed: 'Não foi possível pausar a gravação: {{reason}}',
  PSResumeRecordingFailed: 'Não foi possível retomar a gravação: {{reason}}',
  PSPauseRecordingTooltip: 'Pausar gravação',
  PSResumeRecordingTooltip: 'Retomar gravação',
  PSNoRecording: 'Não há gravação para pausar.',
  PSRecordingPartiallyPaused:
    'Alarme: {{count}} gravação(ões) ainda gravando enquanto a chamada deveria estar pausada. Pressione Pausar de novo ou chame seu supervisor.',
  PSRecordingPartiallyPausedLabel: 'Pausa parcial: ainda gravando',
  PSRecordingReminder: 'A gravação está pausada há {{time}}. Lembre-se de retomá-la.',
  PSRecordingAutoResumed: 'A gravação foi retomada automaticamente.',
  PSRecordingColumnHeader: 'Gravação',
  PSRecordingColumnPausedFor: 'Pausada há {{time}}',
  PSRecordingColumnPartialFor: 'Pausa parcial há {{time}}: ainda gravando',
  PSShortcutToggleRecording: 'Alternar gravação',
  PSShortcutPauseRecording: 'Pausar gravação',
  PSShortcutResumeRecording: 'Retomar gravação',
};

export const th: Strings = {
  PSRecordingPaused: 'หยุดบันทึกการโทรชั่วคราวแล้ว',
  PSRecordingPausedLabel: 'หยุดบันทึกการโทรชั่วคราว',
  PSResumeRecording: 'บันทึกการโทรต่อแล้ว',
  PSPauseRecordingFailed: 'หยุดบันทึกไม่สำเร็จ: {{reason}}',
  PSResumeRecordingFailed: 'บันทึกต่อไม่สำเร็จ: {{reason}}',
  PSPauseRecordingTooltip: 'หยุดบันทึกชั่วคราว',
  PSResumeRecordingTooltip: 'บันทึกต่อ',
  PSNoRecording: 'ไม่มีการบันทึกให้หยุด',
  PSRecordingPartiallyPaused: 'เตือนภัย: มี {{count}} การบันทึกที่ยังบันทึกอยู่ทั้งที่ควรหยุด กดหยุดอีกครั้งหรือแจ้งหัวหน้างาน',
  PSRecordingPartiallyPausedLabel: 'หยุดได้บางส่วน: ยังบันทึกอยู่',
  PSRecordingReminder: 'หยุดบันทึกมาแล้ว {{time}} อย่าลืมบันทึกต่อ',
  PSRecordingAutoResumed: 'ระบบบันทึกต่อให้อัตโนมัติแล้ว',
  PSRecordingColumnHeader: 'การบันทึก',
  PSRecordingColumnPausedFor: 'หยุดมาแล้ว {{time}}',
  PSRecordingColumnPartialFor: 'หยุดได้บางส่วนมาแล้ว {{time}}: ยังบันทึกอยู่',
  PSShortcutToggleRecording: 'สลับการบันทึก',
  PSShortcutPauseRecording: 'หยุดบันทึกชั่วคราว',
  PSShortcutResumeRecording: 'บันทึกต่อ',
};

export const zhHans: Strings = {
  PSRecordingPaused: '通话录音已暂停',
  PSRecordingPausedLabel: '通话录音已暂停',
  PSResumeRecording: '通话录音已恢复',
  PSPauseRecordingFailed: '无法暂停录音：{{reason}}',
  PSResumeRecordingFailed: '无法恢复录音：{{reason}}',
  PSPauseRecordingTooltip: '暂停录音',
  PSResumeRecordingTooltip: '恢复录音',
  PSNoRecording: '没有可以暂停的录音。',
  PSRecordingPartiallyPaused: '警报：通话应处于暂停状态，但仍有 {{count}} 个录音在录制。请再次按暂停或联系主管。',
  PSRecordingPartiallyPausedLabel: '部分暂停：仍在录音',
  PSRecordingReminder: '录音已暂停 {{time}}，请记得恢复。',
  PSRecordingAutoResumed: '录音已自动恢复。',
  PSRecordingColumnHeader: '录音',
  PSRecordingColumnPausedFor: '已暂停 {{time}}',
  PSRecordingColumnPartialFor: '部分暂停 {{time}}：仍在录音',
  PSShortcutToggleRecording: '切换录音',
  PSShortcutPauseRecording: '暂停录音',
  PSShortcutResumeRecording: '恢复录音',
};

export const LOCALES: Readonly<Record<string, Strings>> = { 'en-US': enUS, 'es-ES': esES, 'es-MX': esMX, 'pt-BR': ptBR, th, 'zh-Hans': zhHans };

/** The closest locale: exact (case-insensitive), then the same language, then en-US. */
export function stringsFor(language: string): Strings {
  const lower = language.toLowerCase();
  const exact = Object.keys(LOCALES).find((k) => k.toLowerCase() === lower);
  if (exact !== undefined) return LOCALES[exact] as Strings;
  const primary = lower.split('-')[0];
  const same = Object.keys(LOCALES).find((k) => k.toLowerCase().split('-')[0] === primary);
  return (same !== undefined ? LOCALES[same] : undefined) ?? enUS;
}

/** A value this plugin put there in some locale (not a customer's own text). */
function isOurs(key: string, value: unknown): boolean {
  return Object.values(LOCALES).some((table) => Reflect.get(table, key) === value);
}

/** Adds the feature's strings to Flex's string manager without replacing a customer's overrides. */
export function addStrings(target: object, language: string): void {
  const table = stringsFor(language);
  Object.assign(target, Object.fromEntries(Object.entries(table).filter(([k]) => !(k in target) || isOurs(k, Reflect.get(target, k)))));
}
