/**
 * A clock that moves only when a test moves it, so a rule measured in minutes is checked in
 * microseconds.
 */
export class VirtualClock {
  private nowMs: number;

  constructor(start: Date = new Date('2026-01-01T00:00:00.000Z')) {
    this.nowMs = start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  /** Moves to an instant; a clock never goes back. */
  set(to: Date): void {
    if (to.getTime() < this.nowMs)
      throw new Error(`the clock cannot go back to ${to.toISOString()}`);
    this.nowMs = to.getTime();
  }

  advance(ms: number): void {
    this.set(new Date(this.nowMs + ms));
  }
}
