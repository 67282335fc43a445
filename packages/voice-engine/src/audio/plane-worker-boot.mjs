// Source checkouts run TypeScript through tsx (tests, bench, `npm run engine`); a worker thread
// does not inherit the parent's loader, so this entry registers it before loading the thread.
import { register } from 'tsx/esm/api';

register();
await import('./plane-worker.ts');
