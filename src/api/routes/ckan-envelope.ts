/**
 * The CKAN Action API's envelope and error bodies, exactly as CKAN 2.9–2.11 writes them:
 *   {"help": "<url>", "success": true,  "result": …}
 *   {"help": "<url>", "success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}          404
 *   {"help": "<url>", "success": false, "error": {"__type": "Validation Error", "rows": ["Invalid integer"], …}}  409
 * CKAN answers 409 Conflict for every validation error (a bad parameter value); a request it
 * cannot read at all (a body that is not JSON, an unknown action) is 400. Our validation errors
 * also carry `message`, a one-line summary of the field errors, which CKAN's do not; CKAN
 * writes its 400s as a bare JSON string, we keep the envelope (`__type: "Bad Request"`), so a
 * client reads every failure the same way.
 */

export type CkanErrorBody = { __type: string; message: string } & Record<string, unknown>;

export class CkanActionError extends Error {
  constructor(
    readonly status: number,
    readonly body: CkanErrorBody,
  ) {
    super(body.message);
    this.name = 'CkanActionError';
  }
}

export function notFoundError(message = 'Not found'): CkanActionError {
  return new CkanActionError(404, { __type: 'Not Found Error', message });
}

/** Field name → messages, as CKAN's ValidationError lists them. */
export type FieldErrors = Record<string, string[]>;

export function validationError(fields: FieldErrors): CkanActionError {
  const message = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    .join('; ');
  return new CkanActionError(409, { __type: 'Validation Error', message, ...fields });
}

/** A request CKAN cannot read at all: CKAN's `Bad request - …` text, in the envelope. */
export function badRequestError(detail: string, status = 400): CkanActionError {
  return new CkanActionError(status, { __type: 'Bad Request', message: `Bad request - ${detail}` });
}

/** Where CKAN points for an action's documentation: help_show, which this API serves too. */
export function helpUrl(publicUrl: string, action: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/3/action/help_show?name=${encodeURIComponent(action)}`;
}

export interface CkanSuccess<T> {
  help: string;
  success: true;
  result: T;
}

export interface CkanFailure {
  help: string;
  success: false;
  error: CkanErrorBody;
}

export function ckanSuccess<T>(publicUrl: string, action: string, result: T): CkanSuccess<T> {
  return { help: helpUrl(publicUrl, action), success: true, result };
}

export function ckanFailure(publicUrl: string, action: string, error: CkanErrorBody): CkanFailure {
  return { help: helpUrl(publicUrl, action), success: false, error };
}

/** JSON Schema of the error envelope, for route schemas and OpenAPI. */
export const ckanErrorSchema = {
  type: 'object',
  required: ['help', 'success', 'error'],
  properties: {
    help: { type: 'string', format: 'uri' },
    success: { type: 'boolean', const: false },
    error: {
      type: 'object',
      required: ['__type', 'message'],
      properties: {
        __type: { type: 'string', enum: ['Not Found Error', 'Validation Error', 'Bad Request', 'Too Many Requests', 'Internal Server Error'] },
        message: { type: 'string', description: 'What was wrong.' },
      },
      additionalProperties: {
        type: 'array',
        items: { type: 'string' },
        description: 'Validation Error: the messages for each bad parameter, keyed by its name.',
      },
    },
  },
} as const;
