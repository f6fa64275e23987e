/** THREATS 30: no signing in runs that may execute untrusted code, unless explicitly allowed. */
import { VouchError } from '../../errors.ts';

export const UNTRUSTED_TRIGGERS: readonly string[] = ['pull_request_target', 'workflow_run'];

/** Throws SIGN_UNTRUSTED_TRIGGER for pull_request_target / workflow_run unless `allow`. */
export function assertTrustedTrigger(eventName: string | undefined, allow: boolean): void {
  if (eventName && UNTRUSTED_TRIGGERS.includes(eventName) && !allow) {
    throw new VouchError(
      'SIGN_UNTRUSTED_TRIGGER',
      `refusing to sign in a ${eventName} run: it may have checked out untrusted code`,
    );
  }
}
