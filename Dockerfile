# --- build: compile the TypeScript sources to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts yet: `prepare` compiles the sources, which are copied below.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# --- dev: every dependency and the sources; docker-compose.dev.yml mounts the sources over these
# and runs each service under `tsx watch`, which restarts it when a file changes ---
FROM build AS dev
USER node
CMD ["node_modules/.bin/tsx", "watch", "--clear-screen=false", "coordinator/main.ts"]

# --- runtime: production dependencies and compiled code only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The flags of every service process (lib/node-flags.ts), for whichever service a container runs.
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts: the compiled code comes from the build stage, without TypeScript here.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Not root, and nothing in the image is the service's to change: the container can run with a
# read-only root filesystem (only /tmp needs to be writable).
USER node
# 8000 coordinator, 8001 payment, 8002 inventory, 8003 shipping.
EXPOSE 8000 8001 8002 8003
# Other entry points: dist/workers/payment/main.js, dist/workers/inventory/main.js,
# dist/workers/shipping/main.js, dist/scripts/start.js.
CMD ["node", "dist/coordinator/main.js"]
