# syntax=docker/dockerfile:1.7
# prunesweep worker on CPU: @tensorflow/tfjs-node (libtensorflow 2.9.1, CPU build).
# Build from the repository root:
#   docker build -f deploy/docker/worker-cpu.Dockerfile -t ghcr.io/prunesweep/prunesweep-worker-cpu:0.1.0 .
# tfjs-node's install script downloads libtensorflow from storage.googleapis.com; without that
# network, pass --build-arg TFJS_NODE_BASE_URI=<mirror> (deploy/README.md).
ARG NODE_IMAGE=node:22-slim
ARG BUILD_IMAGE=node:22-bookworm

# ---- build: full image (python3, make, g++ for a source build of the addon if needed) ----
FROM ${BUILD_IMAGE} AS build
ARG TFJS_NODE_BASE_URI=""
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json tsconfig.base.json ./
# npm ci runs the prepare script; it skips the build here (no sources yet) and `npm run build` below does it.
COPY scripts/prepare.mjs scripts/
COPY proto/package.json proto/
COPY coordinator/package.json coordinator/
COPY worker/package.json worker/
COPY deploy/package.json deploy/
RUN TFJS_NODE_BASE_URI="${TFJS_NODE_BASE_URI}" npm ci \
 && node -e "require.resolve('@tensorflow/tfjs-node')" \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu
COPY proto proto
COPY coordinator coordinator
COPY worker worker
COPY bin bin
RUN npm run build && npm prune --omit=dev

# ---- runtime ----
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libopenblas0-pthread \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 prunesweep \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin prunesweep
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/proto/package.json proto/
COPY --from=build /src/proto/dist proto/dist
COPY --from=build /src/worker/package.json worker/
COPY --from=build /src/worker/dist worker/dist
COPY --from=build /src/bin bin
USER 10001:10001
# tini forwards SIGTERM: the worker stops pulling, lets its trial finish within
# --shutdown-grace-ms or naks it, flushes acks, and exits.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/prunesweep.mjs"]
CMD ["worker"]
