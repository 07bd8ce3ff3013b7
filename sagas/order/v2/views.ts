/** What clients see in each state of version 2: version 1's views plus the fraud check. */
import { StateView } from '../status';

export const views: Readonly<Record<string, StateView>> = {
  // Nothing has been done for the order yet: it is as PENDING as before payment.
  assessingRisk: { status: 'PENDING', step: 'risk' },
  authorizingPayment: { status: 'PENDING', step: 'payment' },
  reservingInventory: { status: 'PAYMENT_AUTHORIZED', step: 'inventory' },
  creatingShipment: { status: 'INVENTORY_RESERVED', step: 'shipping' },
  'compensating.cancellingShipment': { status: 'COMPENSATING', step: 'shipping' },
  'compensating.releasingInventory': { status: 'COMPENSATING', step: 'inventory' },
  'compensating.voidingPayment': { status: 'COMPENSATING', step: 'payment' },
  // The step a stuck saga waits at is the one it was stuck from (see decide).
  stuck: { status: 'STUCK', step: null },
  completed: { status: 'COMPLETED', step: null },
  cancelled: { status: 'CANCELLED', step: null },
};
