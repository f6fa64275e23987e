/**
 * Schema validation of generated SBOMs against the official CycloneDX 1.5/1.6 JSON schemas and
 * the SPDX 2.3 JSON schema (copies in ./schemas, see ./schemas/README.md). Compiled lazily: ajv
 * costs a few hundred milliseconds to compile the CycloneDX schema.
 */
import { VouchError } from '../../errors.ts';

export type SbomFormat = 'cyclonedx' | 'spdx';

type ValidateFn = ((data: unknown) => boolean) & {
  errors?: { instancePath?: string; message?: string }[] | null;
};

const compiled = new Map<string, ValidateFn>();

const AJV_OPTIONS = {
  useDefaults: false,
  strict: false,
  strictSchema: false,
  allErrors: false,
  loadSchema: (uri: string): never => {
    throw new Error(`remote schemas are disabled: ${uri}`);
  },
};

async function cycloneDxValidator(specVersion: '1.5' | '1.6'): Promise<ValidateFn> {
  const key = `cdx-${specVersion}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const [{ default: Ajv }, { default: addFormats }, schema, spdxEnum, jsf] = await Promise.all([
    import('ajv'),
    import('ajv-formats'),
    specVersion === '1.6'
      ? import('./schemas/bom-1.6.schema.json', { with: { type: 'json' } })
      : import('./schemas/bom-1.5.schema.json', { with: { type: 'json' } }),
    import('./schemas/spdx.schema.json', { with: { type: 'json' } }),
    import('./schemas/jsf-0.82.schema.json', { with: { type: 'json' } }),
  ]);
  const ajv = new Ajv.default({
    ...AJV_OPTIONS,
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': spdxEnum.default,
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': jsf.default,
    },
  });
  addFormats.default(ajv);
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  const fn = ajv.compile(schema.default) as ValidateFn;
  compiled.set(key, fn);
  return fn;
}

async function spdxValidator(): Promise<ValidateFn> {
  const cached = compiled.get('spdx-2.3');
  if (cached) return cached;
  const [{ default: Ajv2019 }, { default: addFormats }, schema] = await Promise.all([
    import('ajv/dist/2019.js'),
    import('ajv-formats'),
    import('./schemas/spdx-2.3.schema.json', { with: { type: 'json' } }),
  ]);
  const ajv = new Ajv2019.default({ ...AJV_OPTIONS });
  addFormats.default(ajv);
  const fn = ajv.compile(schema.default) as ValidateFn;
  compiled.set('spdx-2.3', fn);
  return fn;
}

/** Problems of a document against its schema (empty when valid). */
export async function findSchemaProblems(
  document: unknown,
  format: SbomFormat,
  specVersion: '1.5' | '1.6' = '1.6',
): Promise<string[]> {
  const validate =
    format === 'spdx' ? await spdxValidator() : await cycloneDxValidator(specVersion);
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
}

/** Throws SBOM_SCHEMA_INVALID (nothing is written) when the text does not validate. */
export async function assertSchemaValid(
  text: string,
  format: SbomFormat,
  specVersion: '1.5' | '1.6' = '1.6',
): Promise<void> {
  const problems = await findSchemaProblems(JSON.parse(text) as unknown, format, specVersion);
  if (problems.length > 0) {
    throw new VouchError(
      'SBOM_SCHEMA_INVALID',
      `the generated ${format === 'spdx' ? 'SPDX 2.3' : `CycloneDX ${specVersion}`} document does not validate: ${problems.slice(0, 3).join('; ')}`,
    );
  }
}
