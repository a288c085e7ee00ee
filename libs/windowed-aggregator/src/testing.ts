/**
 * @geostream/windowed-aggregator/testing: what tests of code built on the aggregator need, kept
 * out of the main entry. PerKeyModel is the per-key time rules written the plain way: the oracle
 * the aggregator and the stream-processor are property-tested against.
 */
export {
  PerKeyModel,
  type ModelOptions,
  type ModelResult,
  type ModelWindow,
} from './testing/per-key-model';
export { exactSum } from './testing/exact-sum';
