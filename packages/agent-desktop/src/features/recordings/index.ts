export { RecordingsPage } from './RecordingsPage.tsx';
export { RecordingDetailPage } from './RecordingDetailPage.tsx';
export { Waveform } from './Waveform.tsx';
export { summarizeWav, type WavSummary } from './wav.ts';
