# The application's image: the API and the worker compiled by tsc (`npm run build`), run by node.
# One image, two commands (docker-compose.yml): `node dist/api/server.js` and `node dist/scripts/worker.js`.
#
#   docker build -t mingteyouxin .

# --- build: every dependency from the lockfile, then tsc, the workflow bundle and the pages ---
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install script is needed here: PostgreSQL is a service of its own, not the embedded one, and
# esbuild, @swc/core and rollup take their binaries from optional dependencies.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies from the same lockfile, and the build ---
FROM node:20.20.2-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The worker loads the workflows bundled at build time instead of bundling them at every start.
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
