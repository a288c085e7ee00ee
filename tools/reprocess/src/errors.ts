import { GeostreamError } from '@geostream/platform';

/** Stable codes: the CLI prints the message and exits 1; tests switch on the code. */
export type ReprocessErrorCode =
  | 'REPROCESS_BAD_ARGUMENTS'
  | 'REPROCESS_NOT_INITIALISED'
  | 'REPROCESS_VERSION_EXISTS'
  | 'REPROCESS_VERSION_UNKNOWN'
  | 'REPROCESS_SETTING_REFUSED'
  | 'REPROCESS_PROCESSOR_FAILED'
  | 'REPROCESS_NOT_CAUGHT_UP'
  | 'REPROCESS_NOT_VERIFIED'
  | 'REPROCESS_IS_CURRENT'
  | 'REPROCESS_IS_ADOPTED'
  | 'REPROCESS_NO_PREVIOUS'
  | 'REPROCESS_CONFIRMATION_REQUIRED'
  | 'REPROCESS_NAME_TAKEN';

/** A refusal: nothing was switched, started or deleted. */
export class ReprocessError extends GeostreamError {
  declare readonly code: ReprocessErrorCode;

  constructor(code: ReprocessErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
