/**
 * The error codes the API answers with, in the body of src/views/spec-error.ts.
 * Codes come from the spec family (跨平臺介接規範 and 共通性資料存取 API 規範): ER + 4 digits,
 * then the standard text; `message` says exactly what was wrong.
 */
export const ERROR_CODES = {
  notFound: 'ER0100:找不到資料。',
  /** A subcode of ER0100 (the spec allows extending a code with digits of one's own). */
  withdrawn: 'ER010001:資料集已下架。',
  badParameter: 'ER0210:輸入的參數內容格式錯誤。',
  /**
   * Rate limit (HTTP 429). The spec family has no code for it; ER0429 keeps to its ER + 4 digits
   * form in the unused 04xx range and reads as the HTTP status it comes with.
   */
  tooManyRequests: 'ER0429:請求次數過多。',
  systemError: 'ER0500:系統錯誤。',
  /**
   * The store cannot be used now (disk full, read-only, locked by another process): HTTP 503 with
   * Retry-After. Like ER0429, ER + the HTTP status, in the 05xx range of the spec's ER0500.
   */
  unavailable: 'ER0503:服務暫時無法使用。',
} as const;
