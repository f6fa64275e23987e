/**
 * CODEOWNERS (GitHub's format): which owners a path has. Patterns follow GitHub's documented
 * subset of gitignore: `*`, `?`, `**`, leading `/` anchors at the root, a pattern without a slash
 * (other than a trailing one) matches at any depth, a trailing `/` owns everything below a
 * directory, a last segment of exactly `*` owns only the files directly inside, and a pattern
 * also owns everything below a directory it names. `!` negation and `[...]` ranges are not
 * supported by GitHub: such lines are reported and skipped. The last matching line wins, and a
 * matching line with no owners leaves the path unowned.
 */

export interface CodeOwnersRule {
  readonly pattern: string;
  /** `@user`, `@org/team` or an e-mail address, as written. */
  readonly owners: readonly string[];
  /** 1-based line in the CODEOWNERS file. */
  readonly line: number;
  readonly regex: RegExp;
}

export interface CodeOwnersProblem {
  readonly line: number;
  readonly message: string;
}

export interface CodeOwners {
  readonly rules: readonly CodeOwnersRule[];
  readonly problems: readonly CodeOwnersProblem[];
}

/** Where GitHub looks for the file, in the order it looks. */
export const CODEOWNERS_LOCATIONS = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
] as const;

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(ch) ? `\\${ch}` : ch;
}

function segmentRegex(segment: string): string {
  let out = '';
  let escaped = false;
  for (const ch of segment) {
    if (escaped) {
      out += escapeRegex(ch);
      escaped = false;
    } else if (ch === '\\') escaped = true;
    else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += escapeRegex(ch);
  }
  return out;
}

/** Compiles one CODEOWNERS pattern into a regular expression over repository-relative paths. */
export function compileCodeOwnersPattern(pattern: string): RegExp {
  if (pattern === '' || pattern.includes('***')) {
    throw new Error(`pattern "${pattern}" is not valid`);
  }
  if (pattern === '/') return /^(?!)/;
  let segments = pattern.split('/');
  if (segments[0] === '') {
    segments = segments.slice(1);
  } else if (segments.length === 1 || (segments.length === 2 && segments[1] === '')) {
    // One segment (with or without a trailing slash) matches at any depth.
    if (segments[0] !== '**') segments = ['**', ...segments];
  }
  if (segments.length > 1 && segments[segments.length - 1] === '') {
    segments[segments.length - 1] = '**';
  }
  const last = segments.length - 1;
  let re = '';
  let needSlash = false;
  segments.forEach((segment, i) => {
    if (segment === '**') {
      if (i === 0 && i === last) re += '.+';
      else if (i === 0) {
        re += '(?:.+/)?';
        needSlash = false;
      } else if (i === last) re += '/.*';
      else {
        re += '(?:/.+)?';
        needSlash = true;
      }
      return;
    }
    if (needSlash) re += '/';
    if (segment === '*') {
      re += '[^/]+';
    } else {
      re += segmentRegex(segment);
      // A pattern naming a file or directory also owns everything below it.
      if (i === last) re += '(?:/.*)?';
    }
    needSlash = true;
  });
  return new RegExp(`^${re}$`);
}

/** Parses a CODEOWNERS file. Never throws: lines GitHub would reject are listed in `problems`. */
export function parseCodeOwners(text: string): CodeOwners {
  const rules: CodeOwnersRule[] = [];
  const problems: CodeOwnersProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    // The pattern ends at the first unescaped whitespace.
    let pattern = '';
    let i = 0;
    for (; i < trimmed.length; i++) {
      const ch = trimmed[i]!;
      if (ch === '\\' && i + 1 < trimmed.length) {
        pattern += ch + trimmed[i + 1];
        i++;
        continue;
      }
      if (/\s/.test(ch)) break;
      pattern += ch;
    }
    const owners: string[] = [];
    for (const token of trimmed.slice(i).split(/\s+/).filter(Boolean)) {
      if (token.startsWith('#')) break;
      owners.push(token);
    }
    if (pattern.startsWith('!')) {
      problems.push({
        line,
        message: `negated pattern "${pattern}" is not supported by CODEOWNERS`,
      });
      return;
    }
    if (/(?<!\\)\[/.test(pattern)) {
      problems.push({
        line,
        message: `character range in "${pattern}" is not supported by CODEOWNERS`,
      });
      return;
    }
    const bad = owners.find(
      (o) => !/^@[A-Za-z0-9-]+(?:\/[A-Za-z0-9_.-]+)?$/.test(o) && !/^[^@\s]+@[^@\s]+$/.test(o),
    );
    if (bad !== undefined) {
      problems.push({
        line,
        message: `owner "${bad}" is not @user, @org/team or an e-mail address`,
      });
      return;
    }
    let regex: RegExp;
    try {
      regex = compileCodeOwnersPattern(pattern);
    } catch (error) {
      problems.push({ line, message: (error as Error).message });
      return;
    }
    rules.push({ pattern, owners, line, regex });
  });
  return { rules, problems };
}

export interface OwnersMatch {
  readonly owners: readonly string[];
  /** The line that decided, undefined when no line matched. */
  readonly rule?: CodeOwnersRule;
}

/** Owners of a repository-relative path: the last matching rule wins. */
export function findOwners(codeOwners: CodeOwners, path: string): OwnersMatch {
  const clean = path.replace(/^\/+/, '');
  for (let i = codeOwners.rules.length - 1; i >= 0; i--) {
    const rule = codeOwners.rules[i]!;
    if (rule.regex.test(clean)) return { owners: rule.owners, rule };
  }
  return { owners: [] };
}
