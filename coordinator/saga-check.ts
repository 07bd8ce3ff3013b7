/**
 * The deploy check: are all sagas in flight (not ended, STUCK included) ones the code about to
 * be deployed can carry on? A saga is stranded when that code does not register its definition
 * version, or registers the version without the state the saga is in. Run by the new release
 * against the live orders database before it replaces the old one.
 */
import { Database } from '../lib/db';
import { terminalStatuses } from '../sagas/order/status';
import { definitionOf, isRegistered, registeredVersions } from '../sagas/order/versions';

export interface InFlightGroup {
  version: number;
  state: string;
  count: number;
}

export interface CheckedGroup extends InFlightGroup {
  versionRegistered: boolean;
  stateRegistered: boolean;
}

export interface CheckReport {
  groups: CheckedGroup[];
  /** Sagas the checked code could not carry on. */
  stranded: number;
  /** The version new sagas would start on, and whether the checked code has it. */
  startVersion: { version: number; registered: boolean };
  registeredVersions: number[];
  ok: boolean;
}

/** The definitions a release carries: by default, this build's. */
export interface Registry {
  versions(): number[];
  states(version: number): readonly string[] | undefined;
}

export const deployedRegistry: Registry = {
  versions: registeredVersions,
  states: (version) =>
    isRegistered(version) ? Object.keys(definitionOf(version).views) : undefined,
};

/** Sagas not yet ended, counted per definition version and state. */
export async function inFlightSagas(db: Database): Promise<InFlightGroup[]> {
  const { rows } = await db.raw<{ rows: Array<{ version: number; state: string; count: string }> }>(
    `SELECT version, state, count(*) AS count FROM sagas
     WHERE status <> ALL(?) GROUP BY version, state ORDER BY version, state`,
    [[...terminalStatuses]],
  );
  return rows.map((row) => ({ version: row.version, state: row.state, count: Number(row.count) }));
}

export function checkInFlight(
  groups: readonly InFlightGroup[],
  startVersion: number,
  registry: Registry = deployedRegistry,
): CheckReport {
  const checked = groups.map((group): CheckedGroup => {
    const states = registry.states(group.version);
    return {
      ...group,
      versionRegistered: states !== undefined,
      stateRegistered: states?.includes(group.state) ?? false,
    };
  });
  const stranded = checked
    .filter((group) => !group.stateRegistered)
    .reduce((sum, group) => sum + group.count, 0);
  const versions = registry.versions();
  const startRegistered = versions.includes(startVersion);
  return {
    groups: checked,
    stranded,
    startVersion: { version: startVersion, registered: startRegistered },
    registeredVersions: versions,
    ok: stranded === 0 && startRegistered,
  };
}

/** The report for a person at a terminal: one line per version and state, then the verdict. */
export function renderReport(report: CheckReport): string {
  const header = ['version', 'state', 'sagas', 'registered'];
  const rows = report.groups.map((g) => [
    String(g.version),
    g.state,
    String(g.count),
    !g.versionRegistered
      ? 'NO (unknown version)'
      : g.stateRegistered
        ? 'yes'
        : 'NO (unknown state)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [
    `registered versions: ${report.registeredVersions.join(', ')}`,
    `new sagas start on version ${report.startVersion.version}` +
      (report.startVersion.registered ? '' : ' — NOT registered (SAGA_VERSION)'),
    '',
    ...(rows.length > 0 ? [line(header), ...rows.map(line)] : ['no sagas in flight']),
    '',
    report.ok
      ? 'ok: every saga in flight can finish on this code'
      : report.stranded > 0
        ? `FAIL: ${report.stranded} saga(s) in flight would be stranded by this code`
        : 'FAIL: SAGA_VERSION names a version this code does not register',
  ];
  return lines.join('\n');
}
