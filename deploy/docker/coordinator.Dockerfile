# syntax=docker/dockerfile:1.7
# prunesweep coordinator: gRPC 50051 (workers, operators, grpc.health.v1.Health), HTTP 8080.
# Build from the repository root (BuildKit reads coordinator.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/coordinator.Dockerfile -t ghcr.io/prunesweep/prunesweep-coordinator:0.1.0 .
ARG NODE_IMAGE=node:22-slim

# ---- build: install with dev dependencies, compile, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json tsconfig.base.json ./
# npm ci runs the prepare script; it skips the build here (no sources yet) and `npm run build` below does it.
COPY scripts/prepare.mjs scripts/
COPY proto/package.json proto/
COPY coordinator/package.json coordinator/
COPY worker/package.json worker/
COPY deploy/package.json deploy/
# No optional dependencies: the coordinator never loads TensorFlow's native bindings.
RUN npm ci --omit=optional
COPY proto proto
COPY coordinator coordinator
COPY worker worker
COPY bin bin
RUN npm run build && npm prune --omit=dev --omit=optional

# ---- runtime: non-root, tini as PID 1, node runs the entry directly (no npm) ----
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 prunesweep \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin prunesweep
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/proto/package.json proto/
COPY --from=build /src/proto/dist proto/dist
# .proto files for gRPC reflection.
COPY --from=build /src/proto/schema proto/schema
COPY --from=build /src/coordinator/package.json coordinator/
COPY --from=build /src/coordinator/dist coordinator/dist
COPY --from=build /src/bin bin
USER 10001:10001
EXPOSE 50051 8080
# tini forwards SIGTERM to node (graceful gRPC drain) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/prunesweep.mjs"]
CMD ["coordinator", "--host=0.0.0.0", "--port=50051", "--http-port=8080"]
