import { useTitle } from '../hooks';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <section class="card">
      <h1>Nothing here</h1>
      <p>
        This console page does not exist. Try the <a href="/console/orders">orders</a>.
      </p>
    </section>
  );
}
