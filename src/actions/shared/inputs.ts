import * as core from '@actions/core';
import { VouchError } from '../../errors.ts';

/**
 * Every input name used by any action, with the one meaning it has everywhere. action.yml files
 * copy these descriptions word for word; a test holds them to it.
 */
export const INPUT_DESCRIPTIONS = {
  path: 'Project directory to read (default: the workspace root).',
  files: 'Release files: one glob per line, relative to the workspace.',
  key: 'Signing key reference: `keyless`, a PEM file path, a `pkcs11:` URI, or an awskms://, gcpkms://, azurekms:// or hashivault:// reference.',
  passphrase: 'Passphrase of an encrypted PEM key (a secret).',
  'pkcs11-pin': 'PIN of the PKCS#11 token (a secret).',
  'output-dir': 'Directory to write outputs into (default: beside each input file).',
  sbom: 'Path of an SBOM file (CycloneDX or SPDX JSON).',
  policy: 'Path of the policy file (YAML).',
  exceptions: 'Path of the exceptions file (YAML).',
  advisories: 'OSV advisory sources: one directory or zip per line.',
  'github-token': 'Token for the GitHub API (default: the workflow token).',
  'approver-teams':
    'Teams whose members may approve changes to the exceptions file: one org/team per line.',
  'report-as':
    'How the review verdict is posted on the head commit: `check` (a check run) or `status` (a commit status).',
  'allow-untrusted-triggers': 'Allow signing in pull_request_target and workflow_run runs.',
} as const;

export type InputName = keyof typeof INPUT_DESCRIPTIONS;

/** Reads action inputs. The Actions implementation wraps @actions/core; tests record the names read. */
export interface InputReader {
  string(name: InputName, options?: { required?: boolean }): string;
  list(name: InputName): string[];
  boolean(name: InputName): boolean;
  /** Reads a secret input and masks it before anything else can log it. */
  secret(name: InputName): string;
}

export function actionsInputReader(): InputReader {
  return {
    string(name, options = {}) {
      const value = core.getInput(name).trim();
      if (options.required && value === '') {
        throw new VouchError('INPUT_MISSING', `input "${name}" is required`);
      }
      return value;
    },
    list(name) {
      return core
        .getMultilineInput(name)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('#'));
    },
    boolean(name) {
      const value = core.getInput(name).trim().toLowerCase();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      throw new VouchError(
        'INPUT_INVALID',
        `input "${name}" must be true or false, not "${value}"`,
      );
    },
    secret(name) {
      const value = core.getInput(name);
      if (value) {
        for (const line of [value, ...value.split(/\r?\n/)])
          if (line.trim()) core.setSecret(line.trim());
      }
      return value.trim();
    },
  };
}
