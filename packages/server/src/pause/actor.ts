import type { ActorRole } from '@pause-recording/core';

/** Who asked for an action: a logged-in user, a Flex token holder, or the server itself. */
export interface Actor {
  readonly identity: string;
  readonly role: ActorRole;
}

export const SYSTEM_ACTOR: Actor = { identity: 'system', role: 'system' };
