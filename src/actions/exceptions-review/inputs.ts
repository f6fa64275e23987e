import { VouchError } from '../../errors.ts';
import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  /** Repository-relative path of the exceptions file. */
  readonly exceptions: string;
  /** Repository-relative path of the policy file ('' when none): read at the base commit. */
  readonly policy: string;
  /**
   * Advisory sources (as the policy action's `advisories`): the severity of each waived advisory
   * sets its remediation window. Empty: the longest window caps every expiry, with a warning.
   */
  readonly advisories: string[];
  /** SBOM path ('' when none): the package versions the advisory APIs are asked about. */
  readonly sbom: string;
  readonly githubToken: string;
  /** `org/team` entries. */
  readonly approverTeams: string[];
  readonly reportAs: 'check' | 'status';
  /** From the runner environment. */
  readonly repository: string;
  readonly eventPath?: string;
  readonly eventName?: string;
  readonly apiUrl?: string;
  readonly runUrl?: string;
  /** VOUCH_NOW: a fixed clock (ISO date) for reproducible runs; default: the real time. */
  readonly now?: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const exceptions = reader.string('exceptions');
  const policy = reader.string('policy');
  const advisories = reader.list('advisories');
  const sbom = reader.string('sbom');
  const githubToken = reader.secret('github-token');
  const approverTeams = reader.list('approver-teams');
  const reportAs = reader.string('report-as') || 'check';
  if (reportAs !== 'check' && reportAs !== 'status') {
    throw new VouchError(
      'INPUT_INVALID',
      `input "report-as" must be check or status, not "${reportAs}"`,
    );
  }
  for (const team of approverTeams) {
    if (!/^@?[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(team)) {
      throw new VouchError(
        'INPUT_INVALID',
        `input "approver-teams": "${team}" is not of the form org/team`,
      );
    }
  }
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const server = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'];
  return {
    exceptions: exceptions || '.vouch/exceptions.yml',
    policy,
    advisories,
    sbom,
    githubToken,
    approverTeams: approverTeams.map((t) => t.replace(/^@/, '')),
    reportAs,
    repository,
    ...(env['GITHUB_EVENT_PATH'] ? { eventPath: env['GITHUB_EVENT_PATH'] } : {}),
    ...(env['GITHUB_EVENT_NAME'] ? { eventName: env['GITHUB_EVENT_NAME'] } : {}),
    ...(env['GITHUB_API_URL'] ? { apiUrl: env['GITHUB_API_URL'] } : {}),
    ...(repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
    ...(env['VOUCH_NOW'] ? { now: env['VOUCH_NOW'] } : {}),
  };
}
