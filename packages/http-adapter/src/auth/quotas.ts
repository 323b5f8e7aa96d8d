import { JudgeError, type SubmissionInput, type SubmitOptions } from '@judgekit/core';
import type { ResolvedPluginOptions } from '../options.js';
import { openPrincipal, type Principal } from './principal.js';

/** The part of a request a submission is made for: its id (for logs) and who is calling. */
export interface Caller {
  id: string;
  principal?: Principal;
}

/**
 * The judge's submit options for a request: its tenant, the tenant's `maxLimits`, after the
 * tenant's `maxQueued` quota (429 `JDG_ERR_TENANT_QUOTA_EXCEEDED`, with `Retry-After`) and the
 * webhook policy for a `callbackUrl` (400 `JDG_ERR_WEBHOOK_URL_REFUSED`). Nothing is queued when
 * either refuses.
 */
export async function submitOptionsOf(
  options: Pick<ResolvedPluginOptions, 'tenantQueued' | 'webhooks'>,
  input: SubmissionInput,
  caller: Caller,
  extra: { signal?: AbortSignal },
): Promise<SubmitOptions & { tenant: string | null }> {
  const principal = caller.principal ?? openPrincipal;
  const { tenant, quotas } = principal;
  const maxQueued = quotas.maxQueued;
  if (maxQueued !== null && maxQueued !== undefined && options.tenantQueued) {
    const queued = await options.tenantQueued(tenant);
    if (queued >= maxQueued) {
      throw new JudgeError(
        'JDG_ERR_TENANT_QUOTA_EXCEEDED',
        `Tenant ${tenant ?? '(none)'} already has ${queued} submissions waiting, its quota (maxQueued ${maxQueued}); retry later.`,
        { details: { quota: 'maxQueued', limit: maxQueued, current: queued } },
      );
    }
  }
  const callbackUrl = (input as { callbackUrl?: unknown }).callbackUrl;
  if (typeof callbackUrl === 'string') {
    if (!options.webhooks) {
      throw new JudgeError('JDG_ERR_WEBHOOK_URL_REFUSED', 'Callback URL refused: this server does not send webhooks.', {
        details: { reason: 'disabled', issues: [{ path: 'callbackUrl', message: 'webhooks are not configured on this server' }] },
      });
    }
    await options.webhooks.check(callbackUrl);
  }
  return {
    ...extra,
    tenant,
    ...(quotas.maxLimits ? { maxLimits: quotas.maxLimits } : {}),
  };
}
