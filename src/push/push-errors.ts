/**
 * What the push (write) API answers when it refuses a call: an HTTP status and the
 * cross-platform spec's error body {"success":false,"error":{"identifier"?,"error_type","message"}}
 * (src/views/spec-error.ts), plus `field` when one field of the record is at fault.
 *
 * Codes the spec names (docs/tw-standards.md §2.2, §2.3) are used as the spec has them: ER0001
 * (API key), ER0031 / ER0032 (service / theme category), ER0050 / ER0051 (the dataset to modify,
 * v1 / v2, does not exist), ER0052 / ER0060 (the dataset to take down / delete, v2 / v1, does not
 * exist). The spec lets a platform extend a code with digits of its own (ER021001); the gateway's
 * own refusals are named that way, or in the ER003x–ER006x write family the spec's codes sit in:
 *
 *   ER000101  the key is not accepted from this address          (403; a case of ER0001)
 *   ER000102  the key is another publisher's                     (403; a case of ER0001)
 *   ER0030    a field of the record breaks the national standard (400; ER0031/32 are the category cases)
 *   ER0040    the dataset to create exists already               (409; POST replayed)
 *   ER005001  v1 PUT older than the stored record (`modified`)   (409; a reordered request)
 *   ER005101  v2 PUT older than the stored record (`modifiedDate`) (409)
 *   ER0210    the request itself is malformed (not JSON, not an object) — the gateway's usual code
 *   ER0413    the body is over the record size cap               (413; like ER0429, the HTTP status it comes with)
 */
import { specError, specErrorSchema, type SpecErrorBody } from '../views/spec-error.js';

export const PUSH_ERROR_CODES = {
  apiKey: 'ER0001:API Key錯誤。',
  addressNotAllowed: 'ER000101:來源IP未登記。',
  otherPublisher: 'ER000102:無權異動其他機關的資料集。',
  invalidRecord: 'ER0030:資料集詮釋資料欄位錯誤。',
  badCategory: 'ER0031:資料集分類錯誤。',
  badTheme: 'ER0032:資料集主題分類錯誤。',
  alreadyExists: 'ER0040:欲新增的資料集已存在。',
  v1UpdateMissing: 'ER0050:欲修改的資料集不存在。',
  v1UpdateStale: 'ER005001:修改內容早於已存的版本。',
  v2UpdateMissing: 'ER0051:欲修改的資料集不存在。',
  v2UpdateStale: 'ER005101:修改內容早於已存的版本。',
  v2DeleteMissing: 'ER0052:欲下架的資料集不存在。',
  v1DeleteMissing: 'ER0060:欲刪除的資料集不存在。',
  badRequest: 'ER0210:輸入的參數內容格式錯誤。',
  tooLarge: 'ER0413:請求內容過大。',
} as const;

export type PushErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415;

export interface PushErrorBody extends SpecErrorBody {
  error: SpecErrorBody['error'] & { field?: string };
}

/** A refused write: nothing was stored. */
export class PushError extends Error {
  constructor(
    readonly status: PushErrorStatus,
    readonly errorType: string,
    message: string,
    readonly identifier?: string,
    /** The record field at fault, named in the vocabulary the client sent (gen-1 or gen-2 keys). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PushError';
  }

  body(): PushErrorBody {
    const body = specError(this.errorType, this.message, this.identifier) as PushErrorBody;
    if (this.field !== undefined) body.error.field = this.field;
    return body;
  }
}

/** JSON Schema of the error body, for OpenAPI: the spec's error body (api/errors.ts) plus `field`. */
export const pushErrorSchema = {
  ...specErrorSchema,
  properties: {
    ...specErrorSchema.properties,
    error: {
      ...specErrorSchema.properties.error,
      properties: {
        ...specErrorSchema.properties.error.properties,
        identifier: { type: 'string', description: 'The dataset identifier (or datasetId) concerned, when there is one.' },
        error_type: { type: 'string', description: 'Spec error code and its standard text, e.g. `ER0031:資料集分類錯誤。`' },
        message: { type: 'string', description: 'What exactly was wrong, and what to do.' },
        field: {
          type: 'string',
          description: 'The record field at fault (a gateway addition), in the keys the client sent: `categoryService` for a v2 body, `categoryCode` for v1.',
        },
      },
    },
  },
} as const;
