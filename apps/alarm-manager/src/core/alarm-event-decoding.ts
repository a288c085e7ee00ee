import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AlarmEventSchema, type AlarmEvent } from '@geostream/instrument-schemas';

export type DecodedAlarmEvent =
  | { readonly ok: true; readonly event: AlarmEvent }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads one record of the alerts topic: JSON of an AlarmEvent (any of the four conditions),
 * checked whole against its schema. Anything else is refused with the reason.
 */
export function createAlarmEventDecoder(): (value: Uint8Array | null) => DecodedAlarmEvent {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const isAlarmEvent = ajv.compile<AlarmEvent>(AlarmEventSchema);
  const text = new TextDecoder('utf-8', { fatal: true });
  return (value) => {
    if (value === null) return { ok: false, reason: 'a tombstone (no value)' };
    let json: unknown;
    try {
      json = JSON.parse(text.decode(value));
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
    if (!isAlarmEvent(json))
      return { ok: false, reason: `not an alarm event: ${ajv.errorsText(isAlarmEvent.errors)}` };
    return { ok: true, event: json };
  };
}
