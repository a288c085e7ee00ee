// Test-only entry point (`@geostream/platform/testing`): helpers for integration tests against the
// real services. Never imported by production code.
export * from './testing/services';
export * from './testing/tcp-fault-proxy';
export * from './testing/disposable-kafka';
