# syntax=docker/dockerfile:1.7
# prunesweep worker on NVIDIA GPUs: @tensorflow/tfjs-node-gpu 4.22 bundles libtensorflow 2.9.1,
# which dlopens CUDA 11.x (libcudart.so.11.0, libcublas*.so.11) and cuDNN 8 (libcudnn.so.8):
# the base must be a CUDA 11.2 + cuDNN 8 runtime; CUDA 12 libraries are not picked up (TF then
# silently falls back to the CPU). Hopper (H100) has no prebuilt kernels in TF 2.9: the driver
# JIT-compiles PTX on first start; keep CUDA_CACHE_PATH on a volume (the chart mounts one).
# The webgpu backend (@tensorflow/tfjs-backend-webgpu on Dawn, npm `webgpu`) drives the GPU through
# Vulkan instead: the image carries the Vulkan loader (libvulkan1) and the GL vendor-neutral
# dispatch libraries the NVIDIA ICD links against; the driver's ICD (nvidia_icd.json,
# libGLX/EGL_nvidia) is mounted by the NVIDIA container toolkit only when
# NVIDIA_DRIVER_CAPABILITIES includes graphics (set below and in the chart's pod env).
# Build from the repository root:
#   docker build -f deploy/docker/worker-gpu.Dockerfile -t ghcr.io/prunesweep/prunesweep-worker-gpu:0.1.0 .
# NVIDIA removes end-of-life tags from Docker Hub: mirror the base and pass --build-arg CUDA_IMAGE=<mirror>.
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
ARG NODE_IMAGE=node:22-slim

FROM ${NODE_IMAGE} AS node

# ---- build on the runtime's base, so a source-built addon links against the same glibc ----
FROM ${CUDA_IMAGE} AS build
ARG TFJS_NODE_BASE_URI=""
ENV DEBIAN_FRONTEND=noninteractive npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
# npm ci runs the prepare script; it skips the build here (no sources yet) and `npm run build` below does it.
COPY scripts/prepare.mjs scripts/
COPY proto/package.json proto/
COPY coordinator/package.json coordinator/
COPY worker/package.json worker/
COPY deploy/package.json deploy/
RUN TFJS_NODE_BASE_URI="${TFJS_NODE_BASE_URI}" npm ci \
 && node -e "require.resolve('@tensorflow/tfjs-node-gpu'); require.resolve('webgpu'); require.resolve('@tensorflow/tfjs-backend-webgpu')" \
 && rm -rf node_modules/@tensorflow/tfjs-node
COPY proto proto
COPY coordinator coordinator
COPY worker worker
COPY bin bin
RUN npm run build && npm prune --omit=dev

# ---- runtime: CUDA 11.2 + cuDNN 8, node copied in, non-root, tini as PID 1 ----
FROM ${CUDA_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates libopenblas0-pthread libvulkan1 libglvnd0 libegl1 libgl1 libxext6 libx11-6 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 prunesweep \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin prunesweep \
 && mkdir -p /var/cache/cuda \
 && chown 10001:10001 /var/cache/cuda
COPY --from=node /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
# libtensorflow grabs all GPU memory unless told to grow; the JIT cache survives restarts on a volume.
ENV NODE_ENV=production \
    TF_FORCE_GPU_ALLOW_GROWTH=true \
    TF_CPP_MIN_LOG_LEVEL=1 \
    CUDA_CACHE_PATH=/var/cache/cuda \
    CUDA_CACHE_MAXSIZE=4294967296 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/proto/package.json proto/
COPY --from=build /src/proto/dist proto/dist
COPY --from=build /src/worker/package.json worker/
COPY --from=build /src/worker/dist worker/dist
COPY --from=build /src/bin bin
USER 10001:10001
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/prunesweep.mjs"]
CMD ["worker"]
