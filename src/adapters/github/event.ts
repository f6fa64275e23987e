/** The pull request an Actions run is about, from the event payload (GITHUB_EVENT_PATH). */
import { readFileSync } from 'node:fs';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';

export interface PullRequestEvent {
  readonly number: number;
  /** Who caused the event. */
  readonly sender?: string;
  /** `opened`, `synchronize`, `submitted` … */
  readonly action?: string;
  /** The login that pushed the head, when the event is a push to the pull request. */
  readonly pusher?: string;
}

export function readPullRequestEvent(
  eventPath: string | undefined,
  eventName: string | undefined,
): PullRequestEvent {
  if (!eventPath) {
    throw new VouchError(
      'INPUT_INVALID',
      'GITHUB_EVENT_PATH is not set: exceptions-review runs on pull request events',
    );
  }
  let text: string;
  try {
    text = readFileSync(eventPath, 'utf8');
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read the event payload ${eventPath}`, {
      cause: error,
    });
  }
  const event = parseJsonSafe(text, eventPath, { maxBytes: 25 * 1024 * 1024 }) as {
    action?: unknown;
    sender?: { login?: unknown };
    pull_request?: { number?: unknown };
    number?: unknown;
  };
  const number = event.pull_request?.number ?? event.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new VouchError(
      'INPUT_INVALID',
      `the ${eventName ?? 'triggering'} event has no pull request: run exceptions-review on pull_request or pull_request_review events`,
    );
  }
  const sender = typeof event.sender?.login === 'string' ? event.sender.login : undefined;
  const action = typeof event.action === 'string' ? event.action : undefined;
  const pushed =
    (eventName === 'pull_request' || eventName === 'pull_request_target') &&
    (action === 'synchronize' || action === 'opened' || action === 'reopened');
  return {
    number,
    ...(sender ? { sender } : {}),
    ...(action ? { action } : {}),
    ...(pushed && sender ? { pusher: sender } : {}),
  };
}
