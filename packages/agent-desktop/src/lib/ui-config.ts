import type { UiConfig } from '@pause-recording/core';

/**
 * The server's effective configuration as the desktop reads it: fetched once after login and
 * read through these small accessors, so no feature digs into the shape itself.
 */
export type { UiConfig };

export const isPauseRecordingEnabled = (c: UiConfig): boolean => c.pauseRecording.enabled;
export const isBannerIndicatorEnabled = (c: UiConfig): boolean => c.pauseRecording.indicatorBanner;
export const isPermanentIndicatorEnabled = (c: UiConfig): boolean => c.pauseRecording.indicatorPermanent;
export const isSilenceIncluded = (c: UiConfig): boolean => c.pauseRecording.includeSilence;
export const maxPauseSeconds = (c: UiConfig): number => c.pauseRecording.maxPauseSeconds;
