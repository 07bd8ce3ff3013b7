/**
 * What the broker says about a queue right now: how many consumers are attached and how many
 * messages are ready. A passive declare (`checkQueue`) answers both without the management
 * plugin, in one round trip on the service's own connection.
 */
import { BrokerConnection } from './connection';

export interface QueueFacts {
  consumers: number;
  ready: number;
}

export interface QueueProbe {
  /**
   * How long the broker has been reachable without a break, in ms; 0 while the connection is
   * down. A connection already up when the probe started counts as up for ever.
   */
  reachableForMs(): number;
  /** Undefined when the broker cannot be asked (disconnected, or the check failed). */
  check(queue: string): Promise<QueueFacts | undefined>;
}

/** How long a check waits for its channel to open before it gives up on the facts. */
const CHANNEL_WAIT_MS = 1_000;

export function brokerQueueProbe(broker: BrokerConnection): QueueProbe {
  // A channel of its own: a failed passive declare closes its channel, never a consumer's.
  const channel = broker.createChannel();
  const opened = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CHANNEL_WAIT_MS);
    });
    const open = channel.waitForConnect().then(() => true as const);
    return Promise.race([open, late]).finally(() => clearTimeout(timer));
  };
  let connectedSince = broker.isConnected() ? 0 : undefined;
  broker.on('connect', () => (connectedSince = Date.now()));
  broker.on('disconnect', () => (connectedSince = undefined));
  return {
    reachableForMs: () =>
      broker.isConnected() && connectedSince !== undefined ? Date.now() - connectedSince : 0,
    async check(queue) {
      // A disconnected broker would hold the call until it is back; the caller would rather
      // decide now without the facts.
      if (!broker.isConnected()) return undefined;
      try {
        if (!(await opened())) return undefined;
        const { consumerCount, messageCount } = await channel.checkQueue(queue);
        return { consumers: consumerCount, ready: messageCount };
      } catch {
        return undefined;
      }
    },
  };
}
