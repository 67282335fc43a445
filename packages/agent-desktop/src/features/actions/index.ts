export * from './action-names.ts';
export * from './actions-registry.ts';
