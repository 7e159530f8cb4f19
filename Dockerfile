# One image definition for both apps: docker build --build-arg APP=producer-api|consumer .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ARG APP
ENV NODE_ENV=production APP_MAIN=dist/apps/${APP}/src/main.js KAFKAJS_NO_PARTITIONER_WARNING=1
# Bounded heap and malloc settings: see scripts/runtime/app-node-options.ts.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The runtime image runs as the unprivileged user of the node image.
USER node
CMD ["sh", "-c", "exec node \"$APP_MAIN\""]
