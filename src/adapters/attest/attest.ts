/**
 * The attestation pipeline shared by the CLI, the attest and provenance actions and the gate:
 * subjects → in-toto statement(s) → DSSE in a Sigstore bundle → the bundle file → the stores.
 *
 *   createAttestation(options, deps)  an SBOM or custom predicate
 *   createProvenance(options, deps)   SLSA provenance v1 from the build context
 *
 * Both write every bundle locally first, then try every requested store, and return what
 * happened to each; `assertStored(result)` turns any failed store into one coded error that
 * lists what did succeed.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { BuildContext } from '../../core/provenance/build-context.ts';
import {
  checkPredicateFits,
  describeDocument,
  detectSbomKind,
  isSbomPredicateType,
  sbomPredicateType,
} from '../../core/provenance/predicates.ts';
import {
  buildGitHubProvenance,
  buildLocalProvenance,
  SLSA_PROVENANCE_V1,
} from '../../core/provenance/slsa.ts';
import {
  buildStatements,
  checkPredicateType,
  INTOTO_PAYLOAD_TYPE,
  serializeStatement,
  type Statement,
} from '../../core/provenance/statement.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import type { OciReference, Subject } from '../../core/subjects/subjects.ts';
import { isVouchError, VouchError, type ErrorCode } from '../../errors.ts';
import { readBuildContext, type IdTokenClaims } from '../build-context/read-build-context.ts';
import { collectSubjects, mapLimit } from './collect-subjects.ts';
import type { RetryOptions } from './http.ts';
import { checkGitHubTarget, githubAttestationsStore, type GitHubTarget } from './store-github.ts';
import { ociStore, type RegistryOptions } from './store-oci.ts';
import { releaseAssetsStore } from './store-release.ts';
import type {
  AttestationStore,
  SignedAttestation,
  StatementSigner,
  StoreOutcome,
} from './types.ts';
import { writeFileAtomic } from './write-file.ts';

export const DEFAULT_BUNDLE_PATH = 'attestation.sigstore.json';
const MAX_PREDICATE_BYTES = 256 * 1024 * 1024;
/** Statements signed at once (network signers and witnesses are the slow part). */
const SIGN_CONCURRENCY = 8;

/** Where the predicate comes from. */
export type PredicateSource =
  /** A JSON file with a declared type: a custom predicate, or an SBOM checked against the type. */
  | { readonly kind: 'file'; readonly path: string; readonly type: string }
  /** An SBOM file: CycloneDX or SPDX, the predicate type follows from the document. */
  | { readonly kind: 'sbom'; readonly path: string }
  /** A predicate already in memory. */
  | { readonly kind: 'value'; readonly type: string; readonly value: Record<string, unknown> };

export interface SubjectOptions {
  /** Workspace root: file subjects must stay inside it; relative paths start here. */
  readonly workspace: string;
  /** Paths, globs, `NAME@sha256:HEX`, or OCI references with a digest. */
  readonly subjects: readonly string[];
  /** sha256sum-format files. */
  readonly checksums?: readonly string[];
  /** One statement per subject instead of one for all. */
  readonly perSubject?: boolean;
  /**
   * Bundle path (default attestation.sigstore.json), relative to `outputBase`. With perSubject,
   * each bundle is `<subject>.sigstore.json` in that path's directory.
   */
  readonly output?: string;
  /** Base for a relative output (default: the workspace). */
  readonly outputBase?: string;
  /** Stores beyond the bundle file: `github`, `release`, `oci`, `oci:REF`, `file`. */
  readonly stores?: readonly string[];
}

export interface AttestOptions extends SubjectOptions {
  readonly predicate: PredicateSource;
}

export interface ProvenanceOptions extends SubjectOptions {
  /** The build context; read from the environment (GitHub, else local git) when absent. */
  readonly buildContext?: BuildContext;
}

export interface AttestDeps {
  readonly signer: StatementSigner;
  readonly logger: Logger;
  /** The environment (for reading the build context); default: empty. */
  readonly env?: NodeJS.ProcessEnv;
  /** OIDC claims (keyless signing) for the builder id. */
  readonly claims?: IdTokenClaims;
  /** Clock for a local build context. */
  readonly now?: () => Date;
  /** Needed by the github and release stores. */
  readonly github?: GitHubTarget;
  readonly registry?: RegistryOptions;
  readonly retry?: RetryOptions;
}

export interface AttestationRecord {
  readonly bundlePath: string;
  readonly subjects: readonly Subject[];
  readonly statement: Statement;
  /** GitHub attestation id and URL, when stored there. */
  readonly attestationId?: string;
  readonly attestationUrl?: string;
}

export interface AttestResult {
  readonly predicateType: string;
  readonly subjects: readonly Subject[];
  readonly attestations: readonly AttestationRecord[];
  /** Every store attempt, the bundle files included. */
  readonly outcomes: readonly StoreOutcome[];
  /** The `.intoto.jsonl` written by the file store. */
  readonly jsonlPath?: string;
  readonly buildContext?: BuildContext;
}

type StoreKind = 'github' | 'release' | 'oci' | 'file';
interface StoreSpec {
  readonly kind: StoreKind;
  readonly target?: string;
  readonly text: string;
}

/** Parses `--store` values. Unknown values are refused before anything is signed. */
export function parseStores(values: readonly string[]): StoreSpec[] {
  const out: StoreSpec[] = [];
  for (const raw of values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean)) {
    if (raw === 'github' || raw === 'release' || raw === 'file' || raw === 'oci') {
      out.push({ kind: raw, text: raw });
    } else if (raw.startsWith('oci:') && raw.length > 4) {
      out.push({ kind: 'oci', target: raw.slice(4), text: raw });
    } else {
      throw new VouchError('STORE_INVALID', `unknown store "${raw}"`);
    }
  }
  return out.filter((s, i) => out.findIndex((o) => o.text === s.text) === i);
}

function subjectFileName(subject: Subject): string {
  const safe = subject.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return `${safe || subject.digest['sha256']!.slice(0, 16)}.sigstore.json`;
}

/**
 * The bundle path of each statement. Per subject, names are flattened to file names, so two
 * subjects (`a/b.bin`, `a_b.bin`; or names differing only in case, which collide on macOS and
 * Windows) could write the same file: refused before anything is signed.
 */
function bundlePathsFor(
  statements: readonly Statement[],
  output: string,
  perSubject: boolean,
): string[] {
  if (!perSubject) return statements.map(() => output);
  const owners = new Map<string, string>();
  return statements.map((statement) => {
    const subject = statement.subject[0]!;
    const path = join(dirname(output), subjectFileName(subject));
    const other = owners.get(path.toLowerCase());
    if (other !== undefined) {
      throw new VouchError(
        'INPUT_INVALID',
        `subjects "${other}" and "${subject.name}" would write the same bundle ${path}`,
        {
          hint: 'Per-subject bundle names replace characters other than A-Z a-z 0-9 . _ - with _ (case-insensitively unique): rename one subject, or attest them together without --per-subject.',
        },
      );
    }
    owners.set(path.toLowerCase(), subject.name);
    return path;
  });
}

function jsonlPathFor(bundlePath: string): string {
  const name = basename(bundlePath).replace(/\.sigstore\.json$|\.json$/, '');
  return join(dirname(bundlePath), `${name}.intoto.jsonl`);
}

async function readPredicateText(path: string, workspace: string): Promise<string> {
  const full = resolve(workspace, path);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile())
    throw new VouchError('FILE_UNREADABLE', `predicate file ${path} cannot be read`);
  if (info.size > MAX_PREDICATE_BYTES) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `predicate file ${path} is larger than ${MAX_PREDICATE_BYTES} bytes`,
    );
  }
  return readFile(full, 'utf8');
}

/** Reads and checks a predicate: an SBOM must really be CycloneDX or SPDX (parseSbom says what was found otherwise). */
export async function loadPredicate(
  source: PredicateSource,
  workspace: string,
): Promise<{ type: string; value: Record<string, unknown> }> {
  if (source.kind === 'value') {
    checkPredicateType(source.type);
    checkPredicateFits(source.type, source.value, 'predicate');
    return { type: source.type, value: source.value };
  }
  const text = await readPredicateText(source.path, workspace);
  let doc = parseJsonSafe(text, source.path, { maxBytes: MAX_PREDICATE_BYTES });
  const sbomWanted = source.kind === 'sbom' || isSbomPredicateType(source.type);
  if (sbomWanted) {
    const { parseSbom } = await import('../../core/sbom/parse.ts');
    parseSbom(text, source.path);
    // An in-toto statement carrying an SBOM: attest its predicate, not the wrapper.
    const o = doc as Record<string, unknown>;
    if (typeof o['_type'] === 'string' && o['predicate'] !== undefined) doc = o['predicate'];
  }
  if (source.kind === 'sbom') {
    const kind = detectSbomKind(doc);
    if (!kind) {
      throw new VouchError(
        'SBOM_PREDICATE_MISMATCH',
        `${source.path} is not CycloneDX or SPDX: found ${describeDocument(doc)}`,
      );
    }
    return { type: sbomPredicateType(kind), value: doc as Record<string, unknown> };
  }
  checkPredicateType(source.type);
  checkPredicateFits(source.type, doc, source.path);
  return { type: source.type, value: doc as Record<string, unknown> };
}

function storesFor(
  specs: readonly StoreSpec[],
  deps: AttestDeps,
): { spec: StoreSpec; store: AttestationStore }[] {
  return specs
    .filter((s) => s.kind !== 'file')
    .map((spec) => {
      const needGithub = (): GitHubTarget => {
        if (!deps.github) {
          throw new VouchError(
            'STORE_INVALID',
            `--store ${spec.text} needs a GitHub repository and token (GITHUB_REPOSITORY, GITHUB_TOKEN)`,
          );
        }
        checkGitHubTarget(deps.github, spec.text);
        if (spec.kind === 'release' && !deps.github.releaseTag) {
          throw new VouchError(
            'STORE_INVALID',
            '--store release needs a release tag (a tag push, or --release-tag / the release-tag input)',
          );
        }
        return deps.github;
      };
      const retry = deps.retry ?? {};
      const store =
        spec.kind === 'github'
          ? githubAttestationsStore(needGithub(), retry)
          : spec.kind === 'release'
            ? releaseAssetsStore(needGithub(), retry)
            : ociStore(spec.target, {
                ...(deps.registry ?? {}),
                retry: deps.registry?.retry ?? retry,
              });
      return { spec, store };
    });
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (isVouchError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
}

async function signAndStore(
  statements: Statement[],
  images: readonly OciReference[],
  options: SubjectOptions,
  deps: AttestDeps,
): Promise<Omit<AttestResult, 'predicateType' | 'subjects' | 'buildContext'>> {
  const specs = parseStores(options.stores ?? []);
  const remote = storesFor(specs, deps); // validates targets before signing
  const base = resolve(options.outputBase ?? options.workspace);
  const output = resolve(base, options.output || DEFAULT_BUNDLE_PATH);
  const perSubject = statements.length > 1 || options.perSubject === true;
  const bundlePaths = bundlePathsFor(statements, output, perSubject);
  const progress = deps.logger.progress('signing statements', statements.length);
  const signed: SignedAttestation[] = await mapLimit(
    statements.map((statement, i) => ({ statement, bundlePath: bundlePaths[i]! })),
    SIGN_CONCURRENCY,
    async ({ statement, bundlePath }) => {
      const bundle = await deps.signer.signDsse(serializeStatement(statement), INTOTO_PAYLOAD_TYPE);
      const hexes = new Set(statement.subject.map((s) => s.digest['sha256']));
      progress.tick();
      return {
        statement,
        bundle,
        bundleText: `${JSON.stringify(bundle)}\n`,
        bundlePath,
        images: images.filter((i) => hexes.has(i.digest.slice(7))),
      };
    },
  );
  progress.done();

  const outcomes: StoreOutcome[] = [];
  const records = new Map<SignedAttestation, { id?: string; url?: string }>();
  await mapLimit(signed, 16, (a) => writeFileAtomic(a.bundlePath, a.bundleText));
  for (const a of signed) {
    outcomes.push({
      store: 'file',
      subjects: a.statement.subject,
      ok: true,
      location: a.bundlePath,
    });
  }
  deps.logger.info(
    signed.length === 1
      ? `wrote ${signed[0]!.bundlePath}`
      : `wrote ${signed.length} bundles beside ${output}`,
  );
  let jsonlPath: string | undefined;
  if (specs.some((s) => s.kind === 'file')) {
    jsonlPath = jsonlPathFor(output);
    await writeFileAtomic(jsonlPath, signed.map((a) => JSON.stringify(a.bundle)).join('\n') + '\n');
    for (const a of signed)
      outcomes.push({
        store: 'file',
        subjects: a.statement.subject,
        ok: true,
        location: jsonlPath,
      });
    deps.logger.info(`wrote ${jsonlPath}`);
  }
  for (const { spec, store } of remote) {
    for (const a of signed) {
      try {
        const stored = await store.store(a);
        outcomes.push({
          store: spec.text,
          subjects: a.statement.subject,
          ok: true,
          location: stored.location,
          ...(stored.id ? { id: stored.id } : {}),
        });
        if (spec.kind === 'github')
          records.set(a, { ...(stored.id ? { id: stored.id } : {}), url: stored.location });
        deps.logger.info(`stored in ${spec.text}: ${stored.location}`);
      } catch (error) {
        const info = errorInfo(error);
        outcomes.push({ store: spec.text, subjects: a.statement.subject, ok: false, error: info });
        deps.logger.error(`${spec.text}: [${info.code}] ${info.message}`);
      }
    }
  }
  return {
    attestations: signed.map((a) => {
      const r = records.get(a);
      return {
        bundlePath: a.bundlePath,
        subjects: a.statement.subject,
        statement: a.statement,
        ...(r?.id ? { attestationId: r.id } : {}),
        ...(r?.url ? { attestationUrl: r.url } : {}),
      };
    }),
    outcomes,
    ...(jsonlPath ? { jsonlPath } : {}),
  };
}

/** Signs an SBOM or custom predicate over the subjects and stores it. Does not throw for failed stores: see assertStored. */
export async function createAttestation(
  options: AttestOptions,
  deps: AttestDeps,
): Promise<AttestResult> {
  const predicate = await loadPredicate(options.predicate, options.workspace);
  parseStores(options.stores ?? []);
  const collected = await collectSubjects({
    workspace: options.workspace,
    specs: options.subjects,
    ...(options.checksums ? { checksums: options.checksums } : {}),
  });
  const statements = buildStatements(
    collected.subjects,
    predicate.type,
    predicate.value,
    options.perSubject === true,
  );
  const stored = await signAndStore(statements, collected.images, options, deps);
  return { predicateType: predicate.type, subjects: collected.subjects, ...stored };
}

/** Signs SLSA provenance v1 (GitHub workflow buildType in Actions, vouch's local buildType elsewhere) and stores it. */
export async function createProvenance(
  options: ProvenanceOptions,
  deps: AttestDeps,
): Promise<AttestResult> {
  parseStores(options.stores ?? []);
  const collected = await collectSubjects({
    workspace: options.workspace,
    specs: options.subjects,
    ...(options.checksums ? { checksums: options.checksums } : {}),
  });
  const context =
    options.buildContext ??
    (await readBuildContext({
      env: deps.env ?? {},
      cwd: options.workspace,
      logger: deps.logger,
      ...(deps.claims ? { claims: deps.claims } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    }));
  if (context.kind === 'local') {
    deps.logger.warn(
      `local build: provenance records ${context.commit ? `commit ${context.commit.slice(0, 12)}` : 'no commit'}${context.dirty ? ' with uncommitted changes (dirty)' : ''} and is marked local (${'https://vouch.dev/buildtypes/local/v1'}), not a GitHub build`,
    );
  }
  const predicate: Record<string, unknown> = {
    ...(context.kind === 'github' ? buildGitHubProvenance(context) : buildLocalProvenance(context)),
  };
  const statements = buildStatements(
    collected.subjects,
    SLSA_PROVENANCE_V1,
    predicate,
    options.perSubject === true,
  );
  const stored = await signAndStore(statements, collected.images, options, deps);
  return {
    predicateType: SLSA_PROVENANCE_V1,
    subjects: collected.subjects,
    buildContext: context,
    ...stored,
  };
}

/** One line per store: where the attestations went and what failed. */
export function describeOutcomes(result: AttestResult): { succeeded: string[]; failed: string[] } {
  const succeeded = new Set<string>();
  const failed: string[] = [];
  for (const o of result.outcomes) {
    if (o.ok) succeeded.add(`${o.store} (${o.location ?? ''})`);
    else
      failed.push(
        `${o.store} for ${o.subjects.length === 1 ? o.subjects[0]!.name : `${o.subjects.length} subjects`}: [${o.error?.code}] ${o.error?.message}`,
      );
  }
  return { succeeded: [...succeeded], failed };
}

/**
 * Throws when any store failed, naming what succeeded. A single kind of failure keeps its own
 * code (ATTESTATIONS_PERMISSION_DENIED, RELEASE_NOT_FOUND…); mixed failures are STORE_FAILED.
 */
export function assertStored(result: AttestResult): void {
  const failures = result.outcomes.filter((o) => !o.ok);
  if (failures.length === 0) return;
  const { succeeded, failed } = describeOutcomes(result);
  const codes = new Set(failures.map((f) => f.error?.code ?? 'STORE_FAILED'));
  const only = codes.size === 1 ? [...codes][0]! : 'STORE_FAILED';
  const code = (
    only in
    {
      ATTESTATIONS_PERMISSION_DENIED: 1,
      RELEASE_NOT_FOUND: 1,
      STORE_INVALID: 1,
      SUBJECT_MUTABLE_REF: 1,
    }
      ? only
      : 'STORE_FAILED'
  ) as ErrorCode;
  throw new VouchError(
    code,
    `${failed.length} store write(s) failed: ${failed.join('; ')}. Stored: ${succeeded.length > 0 ? succeeded.join(', ') : 'nothing'}`,
  );
}
