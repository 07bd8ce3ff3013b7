/**
 * xstate's pure `transition` and `initialTransition`, with one inert actor scope per machine
 * rather than one per call. xstate makes that scope by constructing an actor, and the actor's
 * constructor computes the machine's whole initial snapshot: in the coordinator that was almost
 * half the CPU of deciding an event. The scope keeps nothing from one call to the next (it
 * defers, logs and emits nothing, and the order saga spawns no child actor that would register
 * in its system), so it can be shared; only the list that collects the actions is per call.
 */
import {
  AnyActorScope,
  AnyStateMachine,
  EventFrom,
  InputFrom,
  SnapshotFrom,
  createActor,
} from 'xstate';

type ExecutableAction = Parameters<AnyActorScope['actionExecutor']>[0];

const scopes = new WeakMap<
  AnyStateMachine,
  { scope: AnyActorScope; actions: ExecutableAction[] }
>();

function inertScope(machine: AnyStateMachine) {
  let entry = scopes.get(machine);
  if (!entry) {
    const self = createActor(machine);
    const actions: ExecutableAction[] = [];
    const scope: AnyActorScope = {
      self,
      id: '',
      sessionId: '',
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      system: self.system,
      stopChild: () => undefined,
      actionExecutor: (action) => void entry!.actions.push(action),
    };
    entry = { scope, actions };
    scopes.set(machine, entry);
  }
  return entry;
}

/** Collects, and hands back, the actions `run` produced on the machine's shared scope. */
function collecting<T>(machine: AnyStateMachine, run: (scope: AnyActorScope) => T) {
  const entry = inertScope(machine);
  entry.actions = [];
  const result = run(entry.scope);
  const actions = entry.actions;
  entry.actions = [];
  return [result, actions] as const;
}

export function pureTransition<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  event: EventFrom<M>,
): readonly [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(
    machine,
    (scope) => machine.transition(snapshot, event, scope) as SnapshotFrom<M>,
  );
}

export function pureInitialTransition<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
): readonly [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(
    machine,
    (scope) => machine.getInitialSnapshot(scope, input) as SnapshotFrom<M>,
  );
}
