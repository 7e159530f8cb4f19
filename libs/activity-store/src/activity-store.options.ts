import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import type { ReadIndexMode } from './activity-indexes';

export interface ActivityStoreOptions {
  /** The collection of stored events (MONGODB_COLLECTION). */
  collection: string;
  /** Whether the read-API indexes are created (MONGODB_READ_INDEXES; see activity-indexes.ts). */
  readIndexes: ReadIndexMode;
}

export const ACTIVITY_STORE_OPTIONS: InjectionToken<ActivityStoreOptions> =
  Symbol('ACTIVITY_STORE_OPTIONS');

export interface ActivityStoreAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => ActivityStoreOptions | Promise<ActivityStoreOptions>;
}
