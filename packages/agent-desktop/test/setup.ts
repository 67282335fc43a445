import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Testing Library only auto-cleans with globals on; this suite imports from vitest explicitly.
afterEach(() => {
  cleanup();
  // Node-environment files (real-server tests) have no storage.
  globalThis.localStorage?.clear();
});
