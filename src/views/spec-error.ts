/**
 * Error bodies in the cross-platform spec's shape:
 *   {"success":false,"error":{"identifier"?,"error_type":"ER0210:輸入的參數內容格式錯誤。","message":"..."}}
 * `error_type` is a spec code (ER + 4 digits, then the standard text); `message` says exactly
 * what was wrong. A view like the others: the API (src/api/errors.ts holds its codes) and the
 * push API (src/push/push-errors.ts) both answer in it, so it sits below both.
 */
export interface SpecErrorBody {
  success: false;
  error: { identifier?: string; error_type: string; message: string };
}

export function specError(errorType: string, message: string, identifier?: string): SpecErrorBody {
  return { success: false, error: { ...(identifier !== undefined ? { identifier } : {}), error_type: errorType, message } };
}

/** JSON Schema of the error body, for route schemas and OpenAPI. */
export const specErrorSchema = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { type: 'boolean', const: false },
    error: {
      type: 'object',
      required: ['error_type', 'message'],
      properties: {
        identifier: { type: 'string', description: 'The dataset identifier concerned, when there is one.' },
        error_type: { type: 'string', description: 'Spec error code and its standard text, e.g. `ER0210:輸入的參數內容格式錯誤。`' },
        message: { type: 'string', description: 'What exactly was wrong.' },
      },
    },
  },
} as const;
