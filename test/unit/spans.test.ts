import { expect } from 'chai';
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  SpanKind,
  enableSpans,
  endSpan,
  requestTrace,
  sagaIdOfTrace,
  sagaTraceparent,
  startSpan,
  traceIdOfSaga,
  traceparentOf,
} from '../../lib/telemetry/spans';

const sagaId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const parentSpanId = '00f067aa0ba902b7';
const parent = `00-${traceIdOfSaga(sagaId)}-${parentSpanId}-01`;

describe('span helpers — the saga runtime’s own spans through @opentelemetry/api', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  /** The spans ended so far (the processor exports each one asynchronously). */
  const finished = async () => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };

  before(() => {
    trace.setGlobalTracerProvider(provider);
  });

  afterEach(() => {
    enableSpans(false);
    exporter.reset();
  });

  after(() => trace.disable());

  it('given tracing off, when a span is asked for, then none is made and nothing is exported', async () => {
    const span = startSpan('publish payment.authorize', parent, SpanKind.PRODUCER);
    endSpan(span);
    expect(span).to.equal(undefined);
    expect(await finished()).to.deep.equal([]);
  });

  it('given tracing on and a message traceparent, when a span is started, then it is its child in the same trace', async () => {
    enableSpans();
    const span = startSpan('process payment.authorize', parent, SpanKind.CONSUMER, {
      'saga.id': sagaId,
    });
    endSpan(span);

    const [done] = await finished();
    expect(done!.spanContext().traceId).to.equal(traceIdOfSaga(sagaId));
    expect(done!.parentSpanContext?.spanId).to.equal(parentSpanId);
    expect(done!.kind).to.equal(SpanKind.CONSUMER);
    expect(done!.attributes['saga.id']).to.equal(sagaId);
  });

  it('given a span, when its traceparent is written and read back, then a child of it is made', async () => {
    enableSpans();
    const first = startSpan('saga payment.authorized', parent, SpanKind.INTERNAL)!;
    const child = startSpan('publish inventory.reserve', traceparentOf(first), SpanKind.PRODUCER);
    endSpan(child);
    endSpan(first);
    const [finishedChild] = await finished();
    expect(finishedChild!.parentSpanContext?.spanId).to.equal(first.spanContext().spanId);
    expect(traceparentOf(first)).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('given a failure, when the span ends with it, then the span is marked as an error', async () => {
    enableSpans();
    endSpan(startSpan('publish x', parent, SpanKind.PRODUCER), new Error('no route'));
    const [done] = await finished();
    expect(done!.status).to.deep.include({ code: 2, message: 'no route' });
  });

  it('given a saga id, then its trace id is the same 128 bits and converts back', () => {
    expect(sagaIdOfTrace(traceIdOfSaga(sagaId))).to.equal(sagaId);
    expect(sagaTraceparent(sagaId)).to.match(
      new RegExp(`^00-${traceIdOfSaga(sagaId)}-[0-9a-f]{16}-01$`),
    );
  });

  it('given a request that carried its own traceparent, or tracing off, then it gives no trace to its saga', () => {
    expect(requestTrace(false)).to.equal(undefined);
    enableSpans();
    expect(requestTrace(true)).to.equal(undefined);
  });
});
