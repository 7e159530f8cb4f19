export * from './client';
export type * from './api-types';
