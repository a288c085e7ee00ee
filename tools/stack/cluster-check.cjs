#!/usr/bin/env node
// CI's check of `npm run stack -- up --brokers 3`: the cluster at KAFKA_BROKERS (default
// 127.0.0.1:9092) has three brokers, and a topic created with the broker's defaults, as the apps
// create theirs, has three replicas and min.insync.replicas 2. Exit 1 naming what is wrong.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const topic = `stack-cluster-check-${process.pid}`;

/**
 * A topic just created reaches each broker's metadata a moment later: the broker asked may answer
 * UNKNOWN_TOPIC_OR_PARTITION for that moment (seen in CI). Retried for up to about 5 s.
 */
async function untilKnown(request) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      // kafkajs' own retries may have run out first: then the protocol error is the cause.
      const type = error.type ?? error.originalError?.type ?? error.cause?.type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function main() {
  const admin = new Kafka({
    clientId: 'stack-cluster-check',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length !== 3) throw new Error(`${cluster.brokers.length} broker(s), not 3`);
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const [metadata] = (await untilKnown(() => admin.fetchTopicMetadata({ topics: [topic] })))
      .topics;
    const replicas = metadata.partitions.map((p) => p.replicas.length);
    if (replicas.some((n) => n !== 3)) throw new Error(`replicas per partition ${replicas}, not 3`);
    const { resources } = await untilKnown(() =>
      admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      }),
    );
    const minIsr = resources[0].configEntries.find((e) => e.configName === 'min.insync.replicas');
    if (minIsr?.configValue !== '2')
      throw new Error(`min.insync.replicas ${minIsr?.configValue}, not 2`);
    console.log(
      `cluster check: 3 brokers; a default topic has 3 replicas and min.insync.replicas 2`,
    );
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(`cluster check failed: ${error.message}`);
  process.exit(1);
});
