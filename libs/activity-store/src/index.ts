export * from './activity-indexes';
export * from './activity-store.module';
export * from './activity-store.options';
export * from './activity.repository';
export * from './activity.schema';
export * from './mongo-failures';
export * from './mongo.health';
export * from './server-flavour';
