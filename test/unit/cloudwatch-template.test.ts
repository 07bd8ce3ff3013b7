import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { EmfMetricName, emfMetrics } from '../../lib/telemetry/emf';

/** CloudFormation's short-form intrinsic functions, read as `{ "Fn::X": value }`. */
const intrinsics = ['Ref', 'Sub', 'GetAtt', 'Join', 'If', 'Equals', 'Not', 'And', 'Or', 'Select'];
const cloudformationSchema = yaml.DEFAULT_SCHEMA.extend(
  intrinsics.flatMap((name) => {
    const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
    return (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) =>
        new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [key]: data }) }),
    );
  }),
);

type Node = unknown;
const templatePath = path.join(__dirname, '../../monitoring/cloudwatch-dashboard.yaml');
const template = yaml.load(readFileSync(templatePath, 'utf8'), {
  schema: cloudformationSchema,
}) as { Resources: Record<string, { Type: string; Properties: Record<string, Node> }> };

interface Reference {
  where: string;
  metric: string;
  service: string;
  namespaceIsParameter: boolean;
}

/** Every `{ Namespace, MetricName, Dimensions }` in the alarms, wherever it is nested. */
function alarmReferences(where: string, node: Node, found: Reference[] = []): Reference[] {
  if (Array.isArray(node)) node.forEach((child) => alarmReferences(where, child, found));
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, Node>;
    if (typeof record.MetricName === 'string') {
      const dimensions = (record.Dimensions ?? []) as Array<{ Name: string; Value: string }>;
      found.push({
        where,
        metric: record.MetricName,
        service: dimensions.find((d) => d.Name === 'Service')?.Value ?? '',
        namespaceIsParameter: JSON.stringify(record.Namespace) === '{"Ref":"Namespace"}',
      });
    }
    Object.values(record).forEach((child) => alarmReferences(where, child, found));
  }
  return found;
}

/** The dashboard's metric rows, with CloudWatch's "." and "..." shorthands expanded. */
function dashboardReferences(body: string): Reference[] {
  const parsed = JSON.parse(body.replace(/\$\{([^}]+)\}/g, (_m, name: string) => `<${name}>`)) as {
    widgets: Array<{ properties: { metrics?: Array<Array<string | object>> } }>;
  };
  const found: Reference[] = [];
  for (const widget of parsed.widgets) {
    let previous: string[] = [];
    for (const row of widget.properties.metrics ?? []) {
      const parts = row.filter((part): part is string => typeof part === 'string');
      const expanded =
        parts[0] === '...'
          ? [...previous.slice(0, previous.length - (parts.length - 1)), ...parts.slice(1)]
          : parts.map((part, i) => (part === '.' ? previous[i]! : part));
      previous = expanded;
      const [namespace, metric, dimension, service] = expanded;
      expect(dimension, JSON.stringify(row)).to.equal('Service');
      found.push({
        where: 'Dashboard',
        metric: metric!,
        service: service!,
        namespaceIsParameter: namespace === '<Namespace>',
      });
    }
  }
  return found;
}

describe('CloudWatch template — monitoring/cloudwatch-dashboard.yaml', () => {
  const resources = Object.entries(template.Resources);
  const dashboard = resources.find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')!;
  const alarms = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  const references = [
    ...dashboardReferences(
      (dashboard[1].Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'],
    ),
    ...alarms.flatMap(([name, alarm]) => alarmReferences(name, alarm.Properties)),
  ];

  it('given the template, when parsed with the CloudFormation tags, then it has a dashboard and alarms', () => {
    expect(dashboard, 'a dashboard').to.not.equal(undefined);
    expect(alarms.length).to.be.greaterThan(0);
  });

  it('given every metric the dashboard and alarms reference, then each is one the services emit, from the service named, in the namespace parameter', () => {
    expect(references.length).to.be.greaterThan(alarms.length);
    for (const ref of references) {
      const label = `${ref.where}: ${ref.metric} from ${ref.service}`;
      expect(Object.keys(emfMetrics), label).to.include(ref.metric);
      const services: readonly string[] = emfMetrics[ref.metric as EmfMetricName].services;
      expect(services, label).to.include(ref.service);
      expect(ref.namespaceIsParameter, label).to.equal(true);
    }
  });

  it('given the metrics the services emit, then the dashboard shows every one of them', () => {
    const shown = new Set(
      dashboardReferences(
        (dashboard[1].Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'],
      ).map((r) => r.metric),
    );
    expect([...shown].sort()).to.deep.equal(Object.keys(emfMetrics).sort());
  });
});
