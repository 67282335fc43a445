export { createDemoSource, createStampedSource, writeStamp, type AudioSource } from './sources.ts';
export { DEMO_PEAK } from './demo-voice.ts';
export { decodeStampFrame } from './stamp-decode.ts';
export { WavWriter, repairWav, wavHeader, WAV_HEADER_BYTES } from './wav-writer.ts';
export { readWav, WavFormatError, type WavData } from './wav-read.ts';
export { inspectWav, framesInSlot, type Inspection, type ChannelInspection, type SlotInspection, type StampRun, type ZeroSpan } from './inspect.ts';
