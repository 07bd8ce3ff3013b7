/** Each service's compiled entry point, relative to dist/: what `npm run start:<service>` runs. */
export const serviceEntryPoints = {
  coordinator: 'coordinator/main.js',
  payment: 'workers/payment/main.js',
  inventory: 'workers/inventory/main.js',
  shipping: 'workers/shipping/main.js',
} as const;

export type ServiceName = keyof typeof serviceEntryPoints;

export const serviceNames = Object.keys(serviceEntryPoints) as ServiceName[];
