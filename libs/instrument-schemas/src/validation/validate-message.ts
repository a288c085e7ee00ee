import type { DecodedMessage, MessageProblem, Problem } from '../problems';
import { READING_FORMAT_VERSION, type Reading } from '../schemas/reading';
import {
  absence,
  add,
  describeValue,
  isPlainObject,
  notAnObject,
  problem,
  stringProblem,
  versionProblem,
} from './field-problems';
import { validateReadingAt } from './validate-reading';

/** One rejected unit (whole message or one item) from the problems found in it. */
export function messageProblem(
  problems: readonly Problem[],
  item?: { index: number; json: string | undefined },
): MessageProblem {
  const first = problems[0] as Problem;
  const message = problems.length === 1 ? first.message : problems.map((p) => p.message).join('; ');
  const base = { code: first.code, path: first.path, message, problems };
  if (item === undefined) return base;
  return item.json === undefined
    ? { ...base, itemIndex: item.index }
    : { ...base, itemIndex: item.index, itemJson: item.json };
}

function instrumentsCountProblem(value: unknown): Problem | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return undefined;
  const missing = absence(value, 'instruments');
  if (missing !== undefined) return missing;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return problem(
      'non_finite_number',
      'instruments',
      `instruments must be a count, got ${String(value)}`,
    );
  }
  return problem(
    'wrong_type',
    'instruments',
    `instruments must be a whole number >= 0, got ${describeValue(value)}`,
  );
}

/** Problems with an envelope's own fields; any of them rejects the whole envelope. */
function envelopeHeaderProblems(envelope: Record<string, unknown>): Problem[] | undefined {
  const version = versionProblem(envelope.version, 'version', READING_FORMAT_VERSION);
  if (version !== undefined) return [version];
  let problems: Problem[] | undefined;
  const count = instrumentsCountProblem(envelope.instruments);
  if (count !== undefined) problems = add(problems, count);
  const units = stringProblem(envelope.units, 'units');
  if (units !== undefined) problems = add(problems, units);
  const timezone = stringProblem(envelope.timezone, 'timezone');
  if (timezone !== undefined) problems = add(problems, timezone);
  if (!Array.isArray(envelope.items)) {
    problems = add(
      problems,
      absence(envelope.items, 'items') ??
        problem(
          'wrong_type',
          'items',
          `items must be an array, got ${describeValue(envelope.items)}`,
        ),
    );
  }
  return problems;
}

/**
 * Validates a parsed batch envelope. Bad items do not spoil the batch: the result has the good
 * readings and one problem per bad item (with itemIndex, and itemJson when `itemText` can give
 * the item's original text). A bad envelope field (units, timezone, instruments, items,
 * version) rejects the whole envelope as one problem: its readings cannot be trusted.
 */
export function validateEnvelope(
  value: unknown,
  itemText?: (index: number) => string | undefined,
): DecodedMessage<Reading> {
  if (!isPlainObject(value)) {
    return { readings: [], problems: [messageProblem([notAnObject('the envelope', value)])] };
  }
  const headerProblems = envelopeHeaderProblems(value);
  if (headerProblems !== undefined) {
    return { readings: [], problems: [messageProblem(headerProblems)] };
  }
  const items = value.items as unknown[];
  const readings: Reading[] = [];
  const problems: MessageProblem[] = [];
  for (let index = 0; index < items.length; index++) {
    const result = validateReadingAt(items[index], index);
    if (result.ok) readings.push(result.value);
    else problems.push(messageProblem(result.problems, { index, json: itemText?.(index) }));
  }
  return { readings, problems };
}

/**
 * Validates a parsed Kafka message that is either one reading or a batch envelope (an object
 * with an `items` field, as the reference producer sent).
 */
export function validateMessage(
  value: unknown,
  itemText?: (index: number) => string | undefined,
): DecodedMessage<Reading> {
  if (isPlainObject(value) && 'items' in value) return validateEnvelope(value, itemText);
  const result = validateReadingAt(value, -1);
  if (result.ok) return { readings: [result.value], problems: [] };
  return { readings: [], problems: [messageProblem(result.problems)] };
}
