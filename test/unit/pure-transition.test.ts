import { expect } from 'chai';
import { initialTransition, transition } from 'xstate';
import { pureInitialTransition, pureTransition } from '../../sagas/order/pure-transition';
import { OrderSagaEvent, OrderSagaInput } from '../../sagas/order/machine';
import { machineForVersion } from '../../sagas/order/versions';

const input: OrderSagaInput = {
  sagaId: 'saga-pure',
  orderId: 'order-pure',
  items: [{ sku: 'Book', quantity: 1 }],
  total: 20,
  maxRetryAttempts: 2,
};

const events: OrderSagaEvent[] = [
  { type: 'step.timed_out', data: { token: 'token-1' } },
  { type: 'risk.assessed', data: { score: 1 } } as unknown as OrderSagaEvent,
  { type: 'payment.authorized', data: {} } as unknown as OrderSagaEvent,
  {
    type: 'inventory.rejected',
    data: { code: 'OUT_OF_STOCK', message: 'none' },
  } as unknown as OrderSagaEvent,
  { type: 'payment.refunded', data: {} } as unknown as OrderSagaEvent,
];

const actionTypes = (actions: ReadonlyArray<{ type: string }>) => actions.map((a) => a.type);

describe('pure transitions on a shared inert scope', () => {
  for (const version of [1, 2]) {
    it(`given version ${version} of the order saga, when a run of events is decided one after another, then every snapshot and every action list is xstate's own`, () => {
      const machine = machineForVersion(version);
      const [theirs, theirActions] = initialTransition(machine, input);
      const [ours, ourActions] = pureInitialTransition(machine, input);
      expect(ours.value).to.deep.equal(theirs.value);
      expect(actionTypes(ourActions)).to.deep.equal(actionTypes(theirActions));

      let [theirSnapshot, ourSnapshot] = [theirs, ours];
      let changes = 0;
      for (const event of events) {
        const [theirNext, theirNextActions] = transition(machine, theirSnapshot, event);
        const [ourNext, ourNextActions] = pureTransition(machine, ourSnapshot, event);
        expect(ourNext.value, event.type).to.deep.equal(theirNext.value);
        expect(ourNext.context, event.type).to.deep.equal(theirNext.context);
        // Actions of an earlier call never leak into a later one.
        expect(actionTypes(ourNextActions), event.type).to.deep.equal(
          actionTypes(theirNextActions),
        );
        if (ourNext.value !== ourSnapshot.value) changes += 1;
        [theirSnapshot, ourSnapshot] = [theirNext, ourNext];
      }
      expect(changes, 'the run moved the saga').to.be.greaterThan(1);
    });
  }
});
