// Test-only entry point (`@geostream/platform/testing`): helpers for integration tests against the
// real services, and `defined` for any test or benchmark. Never imported by production code.
export * from './testing/services';
export * from './testing/tcp-fault-proxy';
export * from './testing/disposable-kafka';
export * from './testing/disposable-kafka-cluster';
export * from './testing/defined';
export * from './testing/documented-defaults';
