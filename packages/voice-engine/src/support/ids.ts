import { randomBytes } from 'node:crypto';
import { makeSid, type SidKind } from '@pause-recording/core';

export function newSid(kind: SidKind): string {
  return makeSid(kind, (n) => randomBytes(n));
}
