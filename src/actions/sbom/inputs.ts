import { VouchError } from '../../errors.ts';
import type { InputReader } from '../shared/inputs.ts';

export type SbomFormatInput = 'cyclonedx' | 'spdx';

export interface Inputs {
  readonly path: string;
  readonly files: string[];
  readonly outputDir: string;
  readonly formats: SbomFormatInput[];
  readonly specVersion: '1.5' | '1.6';
  readonly omit: ('dev' | 'optional')[];
  readonly lockfile: string;
  readonly reproducible: boolean;
  readonly validate: boolean;
  readonly sourceDateEpoch?: string;
}

/** The only place this action reads its inputs. Every input is read before any is checked. */
export function readInputs(reader: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const path = reader.string('path');
  const files = reader.list('files');
  const outputDir = reader.string('output-dir');
  const formatsRaw = reader.list('sbom-formats');
  const specVersion = reader.string('sbom-spec-version');
  const omitRaw = reader.list('sbom-omit');
  const lockfile = reader.string('sbom-lockfile');
  const reproducible = reader.boolean('reproducible');
  const validateRaw = reader.string('validate');

  const formats = formatsRaw
    .flatMap((f) => f.split(','))
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  for (const f of formats) {
    if (f !== 'cyclonedx' && f !== 'spdx')
      throw new VouchError(
        'INPUT_INVALID',
        `input "sbom-formats" takes cyclonedx and/or spdx, not "${f}"`,
      );
  }
  if (specVersion !== '' && specVersion !== '1.5' && specVersion !== '1.6')
    throw new VouchError(
      'INPUT_INVALID',
      `input "sbom-spec-version" must be 1.6 or 1.5, not "${specVersion}"`,
    );
  const omit = omitRaw
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of omit) {
    if (o !== 'dev' && o !== 'optional')
      throw new VouchError(
        'INPUT_INVALID',
        `input "sbom-omit" takes dev and/or optional, not "${o}"`,
      );
  }
  const v = validateRaw.toLowerCase();
  if (v !== '' && v !== 'true' && v !== 'false')
    throw new VouchError(
      'INPUT_INVALID',
      `input "validate" must be true or false, not "${validateRaw}"`,
    );
  const epoch = env['SOURCE_DATE_EPOCH'];
  return {
    path: path || '.',
    files,
    outputDir,
    formats:
      formats.length > 0 ? [...new Set(formats as SbomFormatInput[])] : ['cyclonedx', 'spdx'],
    specVersion: specVersion === '1.5' ? '1.5' : '1.6',
    omit: omit as ('dev' | 'optional')[],
    lockfile,
    reproducible,
    validate: v !== 'false',
    ...(epoch !== undefined && epoch !== '' ? { sourceDateEpoch: epoch } : {}),
  };
}
