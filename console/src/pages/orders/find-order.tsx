/** Opens one order by its exact id, saying so at once when there is none. */
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/http';
import { getOrder } from '../../api/orders';

export function FindOrder({ onFound }: { onFound: (orderId: string) => void }) {
  const [orderId, setOrderId] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const id = orderId.trim();
    if (!id) return;
    try {
      await getOrder(id);
      onFound(id);
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 404
          ? `No order ${id}.`
          : (error as Error).message,
      );
    }
  };
  return (
    <form class="find-order" role="search" onSubmit={submit}>
      <label for="find-order">Find an order by id</label>
      <input
        id="find-order"
        type="search"
        placeholder="order id, e.g. 123"
        value={orderId}
        maxLength={64}
        spellcheck={false}
        autocomplete="off"
        onInput={(e) => {
          setOrderId(e.currentTarget.value);
          setProblem(undefined);
        }}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'find-order-problem' : undefined}
      />
      <button type="submit" class="primary">
        Open
      </button>
      {problem && (
        <span id="find-order-problem" class="field-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
