import * as core from '@actions/core';
import {
  secretVariants,
  type Logger,
  type Progress,
  type SourceLocation,
} from '../../core/logger.ts';

function annotation(at: SourceLocation | undefined): core.AnnotationProperties | undefined {
  if (!at) return undefined;
  const props: core.AnnotationProperties = {};
  if (at.file !== undefined) props.file = at.file;
  if (at.line !== undefined) props.startLine = at.line;
  if (at.column !== undefined) props.startColumn = at.column;
  if (at.title !== undefined) props.title = at.title;
  return props;
}

/** Logger for the GitHub Actions runtime: groups, annotations, job summary and secret masking. */
export class ActionsLogger implements Logger {
  debug(message: string): void {
    core.debug(message);
  }
  info(message: string): void {
    core.info(message);
  }
  warn(message: string, at?: SourceLocation): void {
    core.warning(message, annotation(at));
  }
  error(message: string, at?: SourceLocation): void {
    core.error(message, annotation(at));
  }
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(title, fn);
  }
  progress(label: string, total?: number): Progress {
    const started = Date.now();
    let count = 0;
    let lastReport = started;
    return {
      tick(n = 1) {
        count += n;
        const now = Date.now();
        if (now - lastReport >= 5000) {
          lastReport = now;
          core.info(`${label}: ${count}${total ? `/${total}` : ''}`);
        }
      },
      done() {
        if (Date.now() - started >= 1000)
          core.info(`${label}: ${count}${total ? `/${total}` : ''} done`);
      },
    };
  }
  async summary(markdown: string): Promise<void> {
    if (!process.env['GITHUB_STEP_SUMMARY']) return;
    await core.summary.addRaw(markdown, true).write();
  }
  secret(value: string): void {
    for (const form of secretVariants(value)) core.setSecret(form);
  }
}
