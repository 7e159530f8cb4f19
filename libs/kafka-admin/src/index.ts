export * from './config/env';
export * from './config/kafka.config';
export * from './dlq/dlq.publisher';
export * from './topics/topic-provisioner';
export * from './lag/lag-reader';
export * from './dlq/dlq.reader';
export * from './dlq/dlq.replay';
export * from './topics/topic-description';
