import { expect } from 'chai';
import { checkInFlight, renderReport } from '../../coordinator/saga-check';
import { diagnose } from '../../coordinator/admin/stuck-sagas';
import { startSaga } from '../../sagas/order/decide';
import { UNKNOWN_VERSION_CODE, parkUnknownVersion } from '../../sagas/order/park';
import { decide } from '../../sagas/order/decide';
import { assessRisk, riskScore } from '../../workers/payment/risk';

const input = {
  sagaId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  orderId: 'order-park',
  items: [{ sku: 'BOOK', quantity: 1 }],
  total: 20,
  maxRetryAttempts: 2,
};

describe('unknown saga version — parking', () => {
  it('parking, given a saga waiting at payment on a version not registered, when parked, then it is STUCK from that state with reason UNKNOWN_VERSION', () => {
    const started = startSaga(input, 1);
    const foreign = { ...started.saga, version: 7 };

    const parked = parkUnknownVersion(foreign, 'payment');

    expect(parked).to.include({ accepted: true, state: 'stuck', status: 'STUCK', step: 'payment' });
    expect(parked.saga.value).to.equal('stuck');
    expect(parked.saga.version).to.equal(7);
    expect(parked.saga.context.stuckFrom).to.equal('authorizingPayment');
    expect(parked.reason).to.deep.equal({
      step: 'payment',
      code: UNKNOWN_VERSION_CODE,
      message: 'no order saga definition is registered for version 7',
    });
    expect(parked.timeline).to.deep.equal([
      { type: 'SAGA_STUCK', step: 'payment', reason: parked.reason },
    ]);
    expect(parked.commands).to.deep.equal([]);
    expect(parked.deadline).to.deep.equal({ kind: 'clear' });
  });

  it('parking, given a parked saga, when another event comes, then nothing changes and nothing is recorded', () => {
    const parked = parkUnknownVersion({ ...startSaga(input, 1).saga, version: 7 }, 'payment');

    const again = parkUnknownVersion(parked.saga, parked.step);

    expect(again.accepted).to.equal(false);
    expect(again.saga).to.deep.equal(parked.saga);
    expect(again.timeline).to.deep.equal([]);
  });

  it('parking, given a parked saga whose version is registered again, when an operator replays it, then it resumes where it was', () => {
    const parked = parkUnknownVersion({ ...startSaga(input, 1).saga, version: 7 }, 'payment');
    const redeployed = { ...parked.saga, version: 1 };

    const replayed = decide(redeployed, {
      type: 'operator.replay',
      data: { actor: 'ops', reason: 'version 1 is back' },
    });

    expect(replayed).to.include({ state: 'authorizingPayment', status: 'PENDING' });
    expect(replayed.commands.map((c) => c.type)).to.deep.equal(['payment.authorize']);
  });

  it('diagnosis, given a STUCK saga of a version not registered, when diagnosed, then it says unknown version', () => {
    expect(diagnose({ version: 7, reason: null, stuck_from: 'authorizingPayment' })).to.equal(
      'unknown version 7',
    );
  });
});

describe('saga:check — in-flight sagas against the registered definitions', () => {
  const inFlight = [
    { version: 1, state: 'reservingInventory', count: 3 },
    { version: 1, state: 'stuck', count: 1 },
    { version: 2, state: 'assessingRisk', count: 5 },
  ];

  it('saga:check, given sagas in flight on versions 1 and 2, when checked against this build, then every group is registered and it passes', () => {
    const report = checkInFlight(inFlight, 2);

    expect(report.ok).to.equal(true);
    expect(report.stranded).to.equal(0);
    expect(report.groups.every((g) => g.versionRegistered && g.stateRegistered)).to.equal(true);
    expect(renderReport(report)).to.match(/^ok: /m);
  });

  it('saga:check, given sagas in flight on version 1, when checked against code that removed version 1, then it fails counting them', () => {
    const withoutV1 = {
      versions: () => [2],
      states: (version: number) => (version === 2 ? ['assessingRisk', 'stuck'] : undefined),
    };

    const report = checkInFlight(inFlight, 2, withoutV1);

    expect(report.ok).to.equal(false);
    expect(report.stranded).to.equal(4);
    expect(report.groups.filter((g) => !g.versionRegistered).map((g) => g.state)).to.deep.equal([
      'reservingInventory',
      'stuck',
    ]);
    expect(renderReport(report)).to.match(/FAIL: 4 saga\(s\) in flight would be stranded/);
  });

  it('saga:check, given a registered version that lost a state sagas are in, when checked, then those sagas are stranded', () => {
    const renamed = {
      versions: () => [1, 2],
      states: (version: number) => (version === 2 ? ['checkingFraud', 'stuck'] : ['stuck']),
    };

    const report = checkInFlight(inFlight, 2, renamed);

    expect(report.stranded).to.equal(8);
    const lost = report.groups.filter((g) => g.versionRegistered && !g.stateRegistered);
    expect(lost.map((g) => `${g.version}:${g.state}`)).to.deep.equal([
      '1:reservingInventory',
      '2:assessingRisk',
    ]);
  });

  it('saga:check, given no saga in flight but a SAGA_VERSION this code lacks, when checked, then it fails', () => {
    const report = checkInFlight([], 3);

    expect(report.ok).to.equal(false);
    expect(report.stranded).to.equal(0);
    expect(renderReport(report)).to.match(/SAGA_VERSION/);
  });
});

describe('fraud check score', () => {
  it('risk score, given an everyday order, when scored, then it is low and approved', () => {
    expect(riskScore(20, [{ sku: 'Book', quantity: 1 }])).to.equal(1);
    expect(assessRisk(20, [{ sku: 'Book', quantity: 1 }], 80)).to.deep.equal({
      approved: true,
      score: 1,
    });
  });

  it('risk score, given the total and the units, when scored, then it is floor(total / 200) + units, at most 100', () => {
    expect(riskScore(16_000, [{ sku: 'A', quantity: 1 }])).to.equal(81);
    expect(
      riskScore(399.99, [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).to.equal(6);
    expect(riskScore(1_000_000, [{ sku: 'A', quantity: 1 }])).to.equal(100);
  });

  it('risk score, given a score exactly at the limit, when assessed, then it passes; one above is rejected', () => {
    const lines = (units: number) => [{ sku: 'Pen', quantity: units }];

    expect(assessRisk(0, lines(80), 80).approved).to.equal(true);
    expect(assessRisk(0, lines(81), 80)).to.deep.equal({
      approved: false,
      score: 81,
      message: 'risk score 81 is above the limit of 80',
    });
  });
});
