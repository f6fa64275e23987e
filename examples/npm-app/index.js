import * as Sentry from '@sentry/browser';
import ms from 'ms';
import semver from 'semver';

/** Starts error reporting and returns how long the widget caches its data. */
export function startWidget(dsn, appVersion) {
  if (!semver.valid(appVersion)) throw new Error(`not a version: ${appVersion}`);
  Sentry.init({ dsn, release: `widget-web@${appVersion}` });
  return ms('10m');
}
