/** Marker shapes by kind of event (start/end, operator, retry, dead letter), and their legend. */

export type Shape = 'diamond' | 'square' | 'triangle' | 'cross' | 'circle';

export function shapeOf(type: string): Shape {
  if (type.startsWith('SAGA_')) return 'diamond';
  if (type.startsWith('ADMIN_')) return 'square';
  if (type === 'RETRY_SCHEDULED' || type === 'STEP_TIMED_OUT') return 'triangle';
  if (type === 'DEAD_LETTERED') return 'cross';
  return 'circle';
}

export function ShapeAt({ shape, x, y }: { shape: Shape; x: number; y: number }) {
  switch (shape) {
    case 'diamond':
      return <path class="shape" d={`M${x} ${y - 7}L${x + 7} ${y}L${x} ${y + 7}L${x - 7} ${y}Z`} />;
    case 'square':
      return <rect class="shape" x={x - 5.5} y={y - 5.5} width={11} height={11} rx={2} />;
    case 'triangle':
      return <path class="shape" d={`M${x} ${y - 7}L${x + 7} ${y + 5}L${x - 7} ${y + 5}Z`} />;
    case 'cross':
      return (
        <path
          class="shape cross"
          d={`M${x - 5} ${y - 5}L${x + 5} ${y + 5}M${x + 5} ${y - 5}L${x - 5} ${y + 5}`}
        />
      );
    case 'circle':
      return <circle class="shape" cx={x} cy={y} r={5} />;
  }
}

export function TimelineLegend() {
  const items: Array<[string, Shape, string]> = [
    ['info', 'circle', 'command sent'],
    ['success', 'circle', 'succeeded'],
    ['danger', 'circle', 'failed'],
    ['danger', 'cross', 'dead-lettered'],
    ['warning', 'triangle', 'retry or timeout'],
    ['compensation', 'circle', 'compensation'],
    ['operator', 'square', 'operator action'],
    ['info', 'diamond', 'saga start and end'],
  ];
  return (
    <ul class="legend" aria-label="Legend">
      {items.map(([tone, shape, text]) => (
        <li key={text}>
          <svg width="16" height="16" aria-hidden="true" class={`marker tone-${tone}`}>
            <ShapeAt shape={shape} x={8} y={8} />
          </svg>
          {text}
        </li>
      ))}
      <li>
        <span class="legend-bar" aria-hidden="true" />
        <span class="legend-bar succeeded" aria-hidden="true" />
        <span class="legend-bar failed" aria-hidden="true" />
        <span class="legend-bar compensation" aria-hidden="true" />a command from sending to its
        outcome: waiting, succeeded, failed, compensation
      </li>
    </ul>
  );
}
