/** Message headers the messaging layer itself reads and writes. */

/** Deliveries of a message across delayed retries, this one included (absent on the first). */
export const ATTEMPT_HEADER = 'x-attempt';
