/**
 * The only reader of process.env. Every setting of the service is declared here with its
 * default, validated once at start and frozen; a bad value fails fast naming the variable.
 */
import Ajv from 'ajv';
import { config as loadDotenv } from 'dotenv';
import { readFileSync } from 'node:fs';
import { readCertificateFile } from './certificate-file';
import type { PostgresTls } from './db';
import { LogFormat, logFormats } from './log-format';
import type { BrokerTls } from './messaging/connection';
import { longestRetryDelayMs } from './retry-schedule';

const identifier = { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const brokerHostsPattern = '^\\s*[^,:\\s]+(:[0-9]{1,5})?\\s*(,\\s*[^,:\\s]+(:[0-9]{1,5})?\\s*)*$';

const envSchema = {
  type: 'object',
  properties: {
    POSTGRES_HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    POSTGRES_PORT: { ...port, default: 5432 },
    POSTGRES_USER: { type: 'string', minLength: 1, default: 'postgres' },
    POSTGRES_PASSWORD: { type: 'string', default: '' },
    POSTGRES_DB: { ...identifier, default: 'orders' },
    PAYMENTS_DB: { ...identifier, default: 'payments' },
    INVENTORY_DB: { ...identifier, default: 'inventory' },
    SHIPPING_DB: { ...identifier, default: 'shipping' },
    // Unset: each service's own default (lib/service.ts), sized to the connection budget.
    POSTGRES_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 100 },
    POSTGRES_SSL_MODE: {
      type: 'string',
      enum: ['disable', 'require', 'verify-full'],
      default: 'disable',
    },
    POSTGRES_SSL_CA_FILE: { type: 'string', default: '' },
    // One address or a comma-separated list of `host[:port]` (the nodes of a cluster).
    RABBITMQ_HOST: { type: 'string', pattern: brokerHostsPattern, default: '127.0.0.1' },
    // Unset: 5671 with TLS, 5672 without (the ports RabbitMQ listens on by default).
    RABBITMQ_PORT: port,
    RABBITMQ_TLS: { type: 'string', enum: ['on', 'off'], default: 'off' },
    RABBITMQ_TLS_CA_FILE: { type: 'string', default: '' },
    RABBITMQ_MANAGEMENT_PORT: { ...port, default: 15672 },
    RABBITMQ_USER: { type: 'string', minLength: 1, default: 'guest' },
    RABBITMQ_PASSWORD: { type: 'string', default: 'guest' },
    RABBITMQ_VHOST: { type: 'string', minLength: 1, maxLength: 255, default: '/' },
    COORDINATOR_RABBITMQ_USER: { type: 'string', minLength: 1, default: 'guest' },
    WORKER_RABBITMQ_USERS: { type: 'string', pattern: '^[^,]+(,[^,]+)*$', default: 'guest' },
    ORDER_SERVICE_PORT: { ...port, default: 8000 },
    PAYMENT_SERVICE_PORT: { ...port, default: 8001 },
    INVENTORY_SERVICE_PORT: { ...port, default: 8002 },
    SHIPPING_SERVICE_PORT: { ...port, default: 8003 },
    MAX_RETRY_ATTEMPTS: { type: 'integer', minimum: 0, maximum: 20, default: 3 },
    RETRY_DELAY_SECONDS: { type: 'number', minimum: 0, maximum: 3600, default: 5 },
    STEP_TIMEOUT_SECONDS: { type: 'number', exclusiveMinimum: 0, maximum: 86400, default: 30 },
    STUCK_TIMEOUT_SECONDS: { type: 'number', exclusiveMinimum: 0, default: 3600 },
    PREFETCH_COUNT: { type: 'integer', minimum: 1, maximum: 65535, default: 256 },
    PAYMENT_PROVIDER_URL: { type: 'string', pattern: '^(https?://.+)?$', default: '' },
    PAYMENT_MAX_AMOUNT: { type: 'number', minimum: 0, default: 10000 },
    FAULT_INJECTION: { type: 'string', enum: ['on', 'off'], default: 'on' },
    CIRCUIT_BREAKER: { type: 'string', enum: ['on', 'off'], default: 'on' },
    BREAKER_FAILURE_RATE: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
    BREAKER_MIN_OUTCOMES: { type: 'integer', minimum: 1, default: 20 },
    BREAKER_WINDOW_SECONDS: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 10 },
    BREAKER_OPEN_SECONDS: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 5 },
    BREAKER_PROBES: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
    BREAKER_RELEASE_PER_SECOND: { type: 'integer', minimum: 1, default: 200 },
    SAGA_VERSION: { type: 'integer', minimum: 1, maximum: 1000, default: 2 },
    RISK_DECLINE_SCORE: { type: 'integer', minimum: 0, maximum: 100, default: 80 },
    ADMIN_TOKEN: { type: 'string', default: '' },
    LOG_LEVEL: {
      type: 'string',
      enum: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
      default: 'info',
    },
    LOG_FORMAT: { type: 'string', enum: logFormats, default: 'json' },
    // At least two days: longer than a message can live on a work queue (24 h) plus its retries,
    // so no redelivery can arrive after the record that absorbs it is gone.
    RETENTION_DAYS: { type: 'number', minimum: 2, maximum: 3650, default: 7 },
    TIMELINE_RETENTION_DAYS: { type: 'number', minimum: 1, maximum: 36500 },
    OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string', pattern: '^(https?://.+)?$', default: '' },
    OTEL_SERVICE_NAME: { type: 'string', default: '' },
    CLOUDWATCH_NAMESPACE: { type: 'string', pattern: '^([^:]{1,255})?$', default: '' },
    AWS_REGION: { type: 'string', default: '' },
  },
} as const;

export interface Config {
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    /** Unset: the service's own default. */
    readonly poolSize: number | undefined;
    readonly tls: PostgresTls;
    readonly databases: {
      readonly orders: string;
      readonly payments: string;
      readonly inventory: string;
      readonly shipping: string;
    };
  };
  readonly rabbitmq: {
    /** The first node: where the management API is asked. */
    readonly host: string;
    readonly port: number;
    /** Every node the services may connect to, in the order they are tried. */
    readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    readonly managementPort: number;
    readonly user: string;
    readonly password: string;
    readonly vhost: string;
    /** Null: plain AMQP. */
    readonly tls: BrokerTls | null;
  };
  /**
   * Broker accounts whose messages are obeyed: the broker stamps every message with the account
   * that published it (user-id), so authorship cannot be forged by whoever can write to a queue.
   */
  readonly authors: {
    readonly coordinator: string;
    readonly workers: readonly string[];
  };
  readonly ports: {
    readonly coordinator: number;
    readonly payment: number;
    readonly inventory: number;
    readonly shipping: number;
  };
  readonly maxRetryAttempts: number;
  readonly retryDelaySeconds: number;
  readonly stepTimeoutSeconds: number;
  readonly stuckTimeoutSeconds: number;
  readonly prefetchCount: number;
  readonly paymentProviderUrl: string;
  /** True when no provider is configured and the payment worker's own simulator answers. */
  readonly paymentProviderSimulated: boolean;
  readonly paymentMaxAmount: number;
  readonly faultInjection: boolean;
  /** The circuit breaker per step; `enabled` false leaves every step closed for good. */
  readonly breaker: {
    readonly enabled: boolean;
    readonly failureRate: number;
    readonly minOutcomes: number;
    readonly windowMs: number;
    readonly openMs: number;
    readonly probes: number;
    readonly releasePerSecond: number;
  };
  /** The order saga definition new sagas start on; sagas in flight keep their own. */
  readonly sagaVersion: number;
  /** The fraud check rejects an order whose risk score is above this (0–100). */
  readonly riskDeclineScore: number;
  /** As configured (may be a comma-separated list). */
  readonly adminToken: string;
  /** Every admin token accepted: more than one while a token is being rotated. */
  readonly adminTokens: readonly string[];
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly retention: {
    /** Inbox, processed-command and fault bookkeeping records older than this go. */
    readonly days: number;
    /** Timelines of sagas that ended longer ago than this go; null keeps them. */
    readonly timelineDays: number | null;
  };
  readonly telemetry: {
    /** Tracing is on only when an OTLP endpoint is given; the SDK reads the other OTEL_*. */
    readonly otlpEndpoint: string;
    /** OTEL_SERVICE_NAME, when set, names every service alike; otherwise each its own. */
    readonly serviceName: string;
    /** CloudWatch Embedded Metric Format lines on stdout, or null for none. */
    readonly cloudwatch: { readonly namespace: string; readonly region: string } | null;
  };
}

/** Settings that are secrets: each may instead be read from the file named by `<NAME>_FILE`. */
export const secretVariables = ['POSTGRES_PASSWORD', 'RABBITMQ_PASSWORD', 'ADMIN_TOKEN'] as const;

/** Every environment variable the services read. */
export const configVariables: readonly string[] = [
  ...Object.keys(envSchema.properties),
  ...secretVariables.map((name) => `${name}_FILE`),
];

/** The variable that sets each service's HTTP port, for messages an operator acts on. */
export const portVariables: Readonly<Record<keyof Config['ports'], string>> = {
  coordinator: 'ORDER_SERVICE_PORT',
  payment: 'PAYMENT_SERVICE_PORT',
  inventory: 'INVENTORY_SERVICE_PORT',
  shipping: 'SHIPPING_SERVICE_PORT',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type Parsed = Record<keyof (typeof envSchema)['properties'], string & number>;

// The schema is this module's constant, compiled by every test of it: checking it against the
// JSON Schema meta-schema at each start would double the cost of compiling it.
const ajv = new Ajv({
  coerceTypes: true,
  useDefaults: true,
  allErrors: true,
  validateSchema: false,
});
const validateEnv = ajv.compile(envSchema);

/** Builds the configuration from an environment (process.env plus `.env` by default). */
export function loadConfig(env: Env = readProcessEnv()): Config {
  const known = Object.keys(envSchema.properties);
  const candidate: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') candidate[name] = value.trim();
  }
  const secretProblems: string[] = [];
  for (const name of secretVariables) {
    const secret = readSecret(env, name);
    if (secret.problem) secretProblems.push(secret.problem);
    else if (secret.value !== undefined) candidate[name] = secret.value;
  }
  if (secretProblems.length > 0) throw new ConfigError(secretProblems);
  if (!validateEnv(candidate)) {
    const problems = (validateEnv.errors ?? []).map(
      (e) =>
        `${e.instancePath.slice(1) || 'environment'} ${e.message ?? 'is invalid'}` +
        allowedValuesOf(e.params),
    );
    throw new ConfigError(problems);
  }
  const parsed = candidate as unknown as Parsed;
  const authorities = readCertificateAuthorities(parsed);
  if (authorities.problems.length > 0) throw new ConfigError(authorities.problems);
  const config = toConfig(parsed, authorities);
  const problems = [
    ...timingProblems(config),
    ...cloudwatchProblems(config),
    ...brokerNodeProblems(config),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** An enum's values, so that the operator need not look them up. */
function allowedValuesOf(params: Record<string, unknown>): string {
  const allowed = params.allowedValues;
  return Array.isArray(allowed) ? ` (${allowed.join(', ')})` : '';
}

interface CertificateAuthorities {
  postgres: string | undefined;
  rabbitmq: string | undefined;
  problems: string[];
}

/**
 * The CA files, read now. A CA given where nothing verifies against it is refused: the operator
 * who set it expects a verified connection and would silently get an unverified one.
 */
function readCertificateAuthorities(e: Parsed): CertificateAuthorities {
  const problems: string[] = [];
  const read = (variable: string, file: string, usedWhen: string, used: boolean) => {
    if (!file) return undefined;
    if (!used) {
      problems.push(`${variable} is only used with ${usedWhen}`);
      return undefined;
    }
    const certificate = readCertificateFile(variable, file);
    if (certificate.problem) problems.push(certificate.problem);
    return certificate.value;
  };
  return {
    postgres: read(
      'POSTGRES_SSL_CA_FILE',
      e.POSTGRES_SSL_CA_FILE,
      `POSTGRES_SSL_MODE=verify-full; it is ${e.POSTGRES_SSL_MODE}`,
      e.POSTGRES_SSL_MODE === 'verify-full',
    ),
    rabbitmq: read(
      'RABBITMQ_TLS_CA_FILE',
      e.RABBITMQ_TLS_CA_FILE,
      'RABBITMQ_TLS=on',
      e.RABBITMQ_TLS === 'on',
    ),
    problems,
  };
}

/**
 * A step must not time out while its command legitimately waits in a delayed-retry queue:
 * the timeout would re-send it and put a second copy in flight. Each retry notice pushes the
 * deadline back by the announced delay plus STEP_TIMEOUT_SECONDS, and a copy can wait longer
 * than announced (up to the longest delay drawn for its retry level), so the step timeout must
 * outlast the longest single retry wait.
 */
function timingProblems(config: Config): string[] {
  const longestMs = longestRetryDelayMs(config);
  if (config.stepTimeoutSeconds * 1000 > longestMs) return [];
  return [
    `STEP_TIMEOUT_SECONDS must be longer than the longest retry wait, ${longestMs / 1000} s ` +
      `(RETRY_DELAY_SECONDS ${config.retryDelaySeconds} × 2^(MAX_RETRY_ATTEMPTS ` +
      `${config.maxRetryAttempts} − 1) + 20 % jitter); it is ${config.stepTimeoutSeconds} s`,
  ];
}

/** EMF lines name the region they belong to; the CloudWatch agent cannot guess it. */
function cloudwatchProblems(config: Config): string[] {
  const cloudwatch = config.telemetry.cloudwatch;
  return cloudwatch && !cloudwatch.region
    ? ['AWS_REGION must be set when CLOUDWATCH_NAMESPACE is']
    : [];
}

function brokerNodeProblems(config: Config): string[] {
  return config.rabbitmq.nodes
    .filter(({ port }) => port < 1 || port > 65535)
    .map(({ host, port }) => `RABBITMQ_HOST ${host}:${port} names a port outside 1-65535`);
}

function toConfig(e: Parsed, authorities: CertificateAuthorities): Config {
  const brokerTls = e.RABBITMQ_TLS === 'on';
  const brokerPort = (e.RABBITMQ_PORT as number | undefined) ?? (brokerTls ? 5671 : 5672);
  const brokerNodes = parseBrokerNodes(e.RABBITMQ_HOST, brokerPort);
  return {
    postgres: {
      host: e.POSTGRES_HOST,
      port: e.POSTGRES_PORT,
      user: e.POSTGRES_USER,
      password: e.POSTGRES_PASSWORD,
      poolSize: (e.POSTGRES_POOL_SIZE as number | undefined) ?? undefined,
      tls: { mode: e.POSTGRES_SSL_MODE as PostgresTls['mode'], ca: authorities.postgres },
      databases: {
        orders: e.POSTGRES_DB,
        payments: e.PAYMENTS_DB,
        inventory: e.INVENTORY_DB,
        shipping: e.SHIPPING_DB,
      },
    },
    rabbitmq: {
      host: brokerNodes[0]!.host,
      port: brokerNodes[0]!.port,
      nodes: brokerNodes,
      managementPort: e.RABBITMQ_MANAGEMENT_PORT,
      user: e.RABBITMQ_USER,
      password: e.RABBITMQ_PASSWORD,
      vhost: e.RABBITMQ_VHOST,
      tls: brokerTls ? { ca: authorities.rabbitmq } : null,
    },
    authors: {
      coordinator: e.COORDINATOR_RABBITMQ_USER,
      workers: listOf(e.WORKER_RABBITMQ_USERS),
    },
    ports: {
      coordinator: e.ORDER_SERVICE_PORT,
      payment: e.PAYMENT_SERVICE_PORT,
      inventory: e.INVENTORY_SERVICE_PORT,
      shipping: e.SHIPPING_SERVICE_PORT,
    },
    maxRetryAttempts: e.MAX_RETRY_ATTEMPTS,
    retryDelaySeconds: e.RETRY_DELAY_SECONDS,
    stepTimeoutSeconds: e.STEP_TIMEOUT_SECONDS,
    stuckTimeoutSeconds: e.STUCK_TIMEOUT_SECONDS,
    prefetchCount: e.PREFETCH_COUNT,
    // The payment worker serves a provider simulator on its own port unless told otherwise.
    paymentProviderUrl:
      e.PAYMENT_PROVIDER_URL || `http://127.0.0.1:${e.PAYMENT_SERVICE_PORT}/provider`,
    paymentProviderSimulated: !e.PAYMENT_PROVIDER_URL,
    paymentMaxAmount: e.PAYMENT_MAX_AMOUNT,
    faultInjection: e.FAULT_INJECTION === 'on',
    breaker: {
      enabled: e.CIRCUIT_BREAKER === 'on',
      failureRate: e.BREAKER_FAILURE_RATE,
      minOutcomes: e.BREAKER_MIN_OUTCOMES,
      windowMs: e.BREAKER_WINDOW_SECONDS * 1000,
      openMs: e.BREAKER_OPEN_SECONDS * 1000,
      probes: e.BREAKER_PROBES,
      releasePerSecond: e.BREAKER_RELEASE_PER_SECOND,
    },
    sagaVersion: e.SAGA_VERSION,
    riskDeclineScore: e.RISK_DECLINE_SCORE,
    adminToken: e.ADMIN_TOKEN,
    adminTokens: listOf(e.ADMIN_TOKEN),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT as LogFormat,
    retention: {
      days: e.RETENTION_DAYS,
      timelineDays: (e.TIMELINE_RETENTION_DAYS as number | undefined) ?? null,
    },
    telemetry: {
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: e.OTEL_SERVICE_NAME,
      cloudwatch: e.CLOUDWATCH_NAMESPACE
        ? { namespace: e.CLOUDWATCH_NAMESPACE, region: e.AWS_REGION }
        : null,
    },
  };
}

/** The broker and database account of each service, as `npm run provision` creates them. */
export const serviceAccounts = {
  coordinator: 'order_coordinator',
  payment: 'payment_worker',
  inventory: 'inventory_worker',
  shipping: 'shipping_worker',
} as const;

export type AccountService = keyof typeof serviceAccounts;

export interface AccountSecrets {
  service: AccountService;
  postgresPassword: string;
  rabbitmqPassword: string;
}

const accountPrefixes: Record<AccountService, string> = {
  coordinator: 'COORDINATOR',
  payment: 'PAYMENT',
  inventory: 'INVENTORY',
  shipping: 'SHIPPING',
};

/**
 * The passwords `npm run provision` gives each service's accounts, from
 * `<SERVICE>_POSTGRES_PASSWORD[_FILE]` and `<SERVICE>_RABBITMQ_PASSWORD[_FILE]`; each is required.
 */
export function loadAccountSecrets(env: Env = readProcessEnv()): AccountSecrets[] {
  const problems: string[] = [];
  const required = (name: string): string => {
    const secret = readSecret(env, name);
    if (secret.problem) problems.push(secret.problem);
    else if (!secret.value) problems.push(`${name} (or ${name}_FILE) must be set`);
    return secret.value ?? '';
  };
  const accounts = (Object.keys(accountPrefixes) as AccountService[]).map((service) => ({
    service,
    postgresPassword: required(`${accountPrefixes[service]}_POSTGRES_PASSWORD`),
    rabbitmqPassword: required(`${accountPrefixes[service]}_RABBITMQ_PASSWORD`),
  }));
  if (problems.length > 0) throw new ConfigError(problems);
  return accounts;
}

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A secret from `name`, or from the file `<name>_FILE` names (a container secret, a mounted
 * volume). Setting both is refused: which one wins would be a guess. Only the variable's name
 * ever appears in a problem, never the value.
 */
export function readSecret(env: Env, name: string): { value?: string; problem?: string } {
  const file = env[`${name}_FILE`];
  const direct = env[name];
  if (file === undefined || file === '') return direct ? { value: direct } : {};
  if (direct !== undefined && direct !== '') {
    return { problem: `${name} and ${name}_FILE are both set; set one` };
  }
  try {
    // A trailing newline is an artefact of how the file was written, not part of the secret.
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    return { problem: `${name}_FILE names a file that cannot be read (${code}): ${file}` };
  }
}

/**
 * `a,b:5673` → [{a, defaultPort}, {b, 5673}]: an entry without a port uses RABBITMQ_PORT, or
 * the default port of the protocol.
 */
export function parseBrokerNodes(
  hosts: string,
  defaultPort: number,
): Array<{ host: string; port: number }> {
  return hosts.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    return { host: host!, port: port ? Number(port) : defaultPort };
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const nested of Object.values(value)) {
    if (nested !== null && typeof nested === 'object') deepFreeze(nested as object);
  }
  return Object.freeze(value);
}

function readProcessEnv(): Env {
  loadDotenv({ quiet: true });
  return process.env;
}
