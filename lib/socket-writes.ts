/**
 * Node hands every `socket.write()` to the kernel at once, and with Nagle off each one is a
 * syscall: amqplib writes every frame on its own (a publish, its confirm and an ack cost several),
 * and node-pg every pipelined statement. Syscalls are dear on this kind of machine. Corking the
 * socket until the end of the tick sends all that was written in that tick with one writev, at no
 * added latency.
 */
import type { Writable } from 'node:stream';

export function coalesceWritesPerTick(socket: Writable): void {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Writable, ...args: unknown[]) {
    if (!corked) {
      corked = true;
      this.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable['write'];
}
