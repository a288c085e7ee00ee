export * from './errors';
export * from './retry';
export * from './config/env-reader';
export * from './config/settings';
export * from './logger';
export * from './kafka-client';
export * from './ops-server';
export * from './shutdown';
