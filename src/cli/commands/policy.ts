import { resolve } from 'node:path';
import { VouchError } from '../../errors.ts';
import { listValue, stringValue, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'policy',
  summary: 'Check an SBOM against license, vulnerability and ban rules, minus approved exceptions',
  usage:
    'vouch policy --sbom FILE --policy FILE [--exceptions FILE] [--advisories DIR_OR_ZIP]... [--format text|json|sarif|markdown] [--output FILE] [--now ISO_DATE]',
  examples: [
    'vouch policy --sbom sbom.cdx.json --policy .vouch/policy.yml --exceptions .vouch/exceptions.yml --advisories osv/',
  ],
  options: {
    sbom: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'SBOM (CycloneDX 1.4–1.6 or SPDX 2.2/2.3 JSON).',
    },
    policy: { type: 'string', value: 'FILE', required: true, description: 'Policy file (YAML).' },
    exceptions: { type: 'string', value: 'FILE', description: 'Exceptions file (YAML).' },
    advisories: {
      type: 'string',
      multiple: true,
      value: 'DIR_OR_ZIP',
      description: 'OSV advisories: a directory or zip of OSV JSON.',
    },
    format: {
      type: 'string',
      value: 'text|json|sarif|markdown',
      description: 'Report format (default: text).',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'Write the report here instead of standard output.',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Evaluate expiry as of this date.' },
    'warn-only': {
      type: 'boolean',
      description:
        'Report findings but exit 0; the report is marked warn-only and the release gate never accepts it.',
    },
  },
  description:
    "Advisory sources (--advisories, repeatable): a directory, zip or JSON file of OSV records; `osv-api` or `osv-api=URL` for the OSV batch API; `github-api` or `github-api=URL` for GitHub's advisory database (token from GITHUB_TOKEN). An unreachable API fails the run unless an offline source is given too. Exit codes: 0 pass, 1 policy failed, 2 bad input.",
  run: async (ctx) => {
    const { REPORT_FORMATS, parseNow, renderReport, runPolicy } =
      await import('../../adapters/policy/run-policy.ts');
    const { exitCodeOf } = await import('../../core/policy/evaluate.ts');
    const format = stringValue(ctx.values, 'format') ?? (ctx.json ? 'json' : 'text');
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new VouchError(
        'USAGE_INVALID_VALUE',
        `--format must be one of ${REPORT_FORMATS.join(', ')}, not "${format}"`,
      );
    }
    const now = parseNow(stringValue(ctx.values, 'now'), new Date());
    const exceptions = stringValue(ctx.values, 'exceptions');
    const token = ctx.env['GITHUB_TOKEN'];
    if (token) ctx.logger.secret(token);
    const run = await runPolicy(
      {
        sbom: stringValue(ctx.values, 'sbom')!,
        policy: stringValue(ctx.values, 'policy')!,
        ...(exceptions ? { exceptions } : {}),
        advisories: listValue(ctx.values, 'advisories'),
        now,
        mode: ctx.values['warn-only'] === true ? 'warn-only' : 'enforce',
        cwd: ctx.cwd,
        ...(token ? { githubToken: token } : {}),
      },
      { logger: ctx.logger },
    );
    const text = renderReport(run, format as (typeof REPORT_FORMATS)[number]);
    const output = stringValue(ctx.values, 'output');
    if (output) {
      const { writeFileAtomic } = await import('../../adapters/fs/atomic-write.ts');
      const path = resolve(ctx.cwd, output);
      await writeFileAtomic(path, text);
      ctx.logger.info(`wrote ${path}`);
    } else {
      ctx.stdout.write(text);
    }
    const { report } = run;
    const summary = `${report.counts.fail} failing, ${report.counts.warn} warnings, ${report.counts.waived} waived`;
    if (report.mode === 'warn-only') {
      ctx.logger.warn(
        `policy ${report.verdict === 'pass' ? 'passed' : 'failed'} in warn-only mode (${summary}); this result can never satisfy the release gate`,
      );
    } else if (report.verdict === 'fail') {
      ctx.logger.error(`policy failed: ${summary}`);
    } else {
      ctx.logger.info(`policy passed: ${summary}`);
    }
    return exitCodeOf(report);
  },
};
export default command;
