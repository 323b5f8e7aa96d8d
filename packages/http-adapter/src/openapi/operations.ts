/**
 * @internal
 * The `operationId` of each route, by `METHOD /path` as the document writes it. A route missing
 * here gets one made from its method and path (the OpenAPI test keeps them unique).
 */
export const operationIds: Readonly<Record<string, string>> = {
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /execute': 'seedExecute',
  'GET /result/{submission_id}': 'seedGetResult',
  'DELETE /result/{submission_id}': 'seedDeleteResult',
  'POST /v1/submissions': 'createSubmission',
  'GET /v1/submissions': 'listSubmissions',
  'POST /v1/submissions/batch': 'createSubmissionBatch',
  'GET /v1/submissions/{id}': 'getSubmission',
  'DELETE /v1/submissions/{id}': 'deleteSubmission',
  'POST /v1/submissions/{id}/cancel': 'cancelSubmission',
  'GET /v1/submissions/{id}/events': 'watchSubmission',
  'GET /v1/languages': 'listLanguages',
  'GET /v1/workers': 'listWorkers',
  'GET /v1/sessions': 'openSession',
  'GET /api/v2/runtimes': 'pistonRuntimes',
  'POST /api/v2/execute': 'pistonExecute',
  'GET /api/v2/connect': 'pistonConnect',
  'POST /submissions': 'judge0CreateSubmission',
  'GET /submissions': 'judge0ListSubmissions',
  'POST /submissions/batch': 'judge0CreateSubmissionBatch',
  'GET /submissions/batch': 'judge0GetSubmissionBatch',
  'GET /submissions/{token}': 'judge0GetSubmission',
  'DELETE /submissions/{token}': 'judge0DeleteSubmission',
  'GET /languages': 'judge0Languages',
  'GET /languages/all': 'judge0AllLanguages',
  'GET /languages/{id}': 'judge0Language',
  'GET /statuses': 'judge0Statuses',
  'GET /about': 'judge0About',
  'GET /version': 'judge0Version',
  'GET /config_info': 'judge0ConfigInfo',
  'GET /system_info': 'judge0SystemInfo',
  'GET /workers': 'judge0Workers',
  'GET /statistics': 'judge0Statistics',
  'POST /authenticate': 'judge0Authenticate',
  'POST /authorize': 'judge0Authorize',
};

/** @internal `GET /v1/submissions/{id}/cancel` → `getV1SubmissionsIdCancel`: for routes the table does not name. */
export function madeOperationId(method: string, path: string): string {
  const words = path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}
