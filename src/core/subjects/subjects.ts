/**
 * Subjects of an in-toto statement: a name and its digests. Pure parsing and merging; reading
 * files and expanding globs happens in src/adapters/attest/collect-subjects.ts.
 */
import { VouchError } from '../../errors.ts';

export interface Subject {
  readonly name: string;
  /** Algorithm → lower-case hex. Always holds `sha256`. */
  readonly digest: Readonly<Record<string, string>>;
}

/** Where an OCI subject lives: enough to attach an attestation to it in a registry. */
export interface OciReference {
  /** Registry host, with port when given (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Repository path inside the registry (`owner/app`). */
  readonly repository: string;
  /** `sha256:<hex>` manifest digest. */
  readonly digest: string;
}

export interface ParsedSubject {
  readonly subject: Subject;
  /** Set when the text was an OCI image reference. */
  readonly oci?: OciReference;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DIGEST_SUFFIX = /@sha256:([0-9A-Fa-f]+)$/;

/** True for `HOST/…` where HOST has a dot, a port or is `localhost`: a registry, not a file path. */
function looksLikeRegistryHost(first: string): boolean {
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
  if (/^localhost(:\d+)?$/.test(first)) return true;
  if (new RegExp(`^${label}(?:\\.${label})+(:\\d+)?$`).test(first)) return true;
  return new RegExp(`^${label}:\\d+$`).test(first);
}

/**
 * Reads an OCI image reference: `HOST[:PORT]/REPO[:TAG][@sha256:HEX]`. Returns undefined when the
 * text is not shaped like one. The tag, if any, is dropped: the digest is what is attested.
 */
export function parseOciReference(
  text: string,
): { ref: OciReference | undefined; tag?: string } | undefined {
  const withoutScheme = text.replace(/^oci:\/\//, '');
  const slash = withoutScheme.indexOf('/');
  if (slash <= 0) return undefined;
  const host = withoutScheme.slice(0, slash);
  if (!looksLikeRegistryHost(host)) return undefined;
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return undefined;
  let rest = withoutScheme.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(
      rest,
    )
  ) {
    return undefined;
  }
  if (digest === undefined) return { ref: undefined, ...(tag === undefined ? {} : { tag }) };
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  if (!hex) {
    throw new VouchError(
      'SUBJECT_INVALID',
      `"${text}": the digest must be sha256: followed by 64 lower-case hex digits`,
    );
  }
  return {
    ref: { registry: host, repository: rest, digest: `sha256:${hex}` },
    ...(tag === undefined ? {} : { tag }),
  };
}

/**
 * Parses a subject given by digest: `NAME@sha256:HEX`, or an OCI image reference with a digest.
 * An OCI reference with only a tag is refused: a tag can be moved to other content.
 * Returns undefined when the text is neither (the caller then treats it as a path or glob).
 */
export function parseDigestSubject(text: string): ParsedSubject | undefined {
  const oci = parseOciReference(text);
  if (oci) {
    if (!oci.ref) {
      throw new VouchError(
        'SUBJECT_MUTABLE_REF',
        `"${text}" names an image by tag only; a tag is mutable, so it cannot be attested`,
        {
          hint: 'Give the image by digest: REGISTRY/REPO@sha256:HEX (e.g. from `docker buildx` or `skopeo inspect`).',
        },
      );
    }
    return {
      subject: {
        name: `${oci.ref.registry}/${oci.ref.repository}`,
        digest: { sha256: oci.ref.digest.slice(7) },
      },
      oci: oci.ref,
    };
  }
  const m = DIGEST_SUFFIX.exec(text);
  if (!m) {
    if (/@sha\d+:/i.test(text)) {
      throw new VouchError(
        'SUBJECT_INVALID',
        `"${text}": only sha256 digests are accepted (NAME@sha256:HEX)`,
      );
    }
    return undefined;
  }
  const name = text.slice(0, m.index);
  const hex = m[1]!;
  if (name === '')
    throw new VouchError('SUBJECT_INVALID', `"${text}": the subject name before @ is empty`);
  if (!SHA256_HEX.test(hex)) {
    throw new VouchError(
      'SUBJECT_INVALID',
      `"${text}": a sha256 digest is 64 lower-case hex digits, got ${hex.length} characters`,
    );
  }
  return { subject: { name, digest: { sha256: hex } } };
}

/**
 * Parses a checksum file in `sha256sum` format: `HEX  NAME` (text mode) or `HEX *NAME` (binary
 * mode), one per line; blank lines and `#` comments are skipped. BSD-style lines
 * (`SHA256 (NAME) = HEX`) are accepted too.
 */
export function parseChecksums(text: string, source: string): Subject[] {
  const out: Subject[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    let hex: string | undefined;
    let name: string | undefined;
    const gnu = /^\\?([0-9A-Fa-f]+) [ *](.+)$/.exec(line);
    const bsd = /^SHA256 \((.+)\) = ([0-9A-Fa-f]+)$/.exec(line);
    if (gnu) {
      hex = gnu[1]!;
      name = gnu[2]!;
    } else if (bsd) {
      name = bsd[1]!;
      hex = bsd[2]!;
    }
    if (hex === undefined || name === undefined) {
      throw new VouchError(
        'CHECKSUMS_INVALID',
        `${source}:${i + 1}: not a sha256sum line (expected "HEX  NAME")`,
      );
    }
    if (!SHA256_HEX.test(hex.toLowerCase())) {
      throw new VouchError(
        'CHECKSUMS_INVALID',
        `${source}:${i + 1}: "${hex.slice(0, 16)}…" is not a sha256 digest (64 hex digits, got ${hex.length})`,
      );
    }
    out.push({ name: name.replace(/^\.\//, ''), digest: { sha256: hex.toLowerCase() } });
  }
  return out;
}

/**
 * Merges subjects from every source: exact duplicates collapse to one, the same name with a
 * different digest is refused (which file would the statement speak for?), and zero subjects is
 * refused. Order: sorted by name, so the statement does not depend on glob or file order.
 */
export function mergeSubjects(subjects: readonly Subject[]): Subject[] {
  const byName = new Map<string, Subject>();
  for (const s of subjects) {
    if (s.name === '') throw new VouchError('SUBJECT_INVALID', 'a subject has an empty name');
    const seen = byName.get(s.name);
    if (seen === undefined) {
      byName.set(s.name, s);
      continue;
    }
    for (const [alg, value] of Object.entries(s.digest)) {
      const other = seen.digest[alg];
      if (other !== undefined && other !== value) {
        throw new VouchError(
          'SUBJECT_DUPLICATE',
          `subject "${s.name}" is given twice with different ${alg} digests (${other.slice(0, 12)}… and ${value.slice(0, 12)}…)`,
        );
      }
    }
    byName.set(s.name, { name: s.name, digest: { ...seen.digest, ...s.digest } });
  }
  if (byName.size === 0) {
    throw new VouchError('SUBJECT_NONE', 'no subjects: nothing to attest', {
      hint: 'Give release files (paths or globs), --checksums FILE, or NAME@sha256:HEX.',
    });
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Formats subjects back into sha256sum format (one line each). */
export function formatChecksums(subjects: readonly Subject[]): string {
  return subjects.map((s) => `${s.digest['sha256'] ?? ''}  ${s.name}\n`).join('');
}
