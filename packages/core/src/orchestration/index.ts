export * from './model.ts';
export * from './plan.ts';
export * from './settle.ts';
export * from './external.ts';
export * from './deadlines.ts';
export * from './single.ts';
