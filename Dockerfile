# otelstack's own image: the canary (`otelstack canary`) on compose and Kubernetes.
#   docker build -t <your-registry>/otelstack:0.1.0 .   then set otelstack.image in the definition.
# The runtime stage installs the archive `npm pack` writes, as the VM roles install the package
# (test/package/npm-install.test.ts runs that same install with the real npm).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
COPY README.md ./
RUN npx tsc -p tsconfig.json && node scripts/bundle.mjs && mkdir /pkg && npm pack --pack-destination /pkg

FROM node:20-bookworm-slim
COPY --from=build /pkg /pkg
RUN npm install --global --no-audit --no-fund /pkg/otelstack-*.tgz && rm -rf /pkg /root/.npm
# the canary writes nothing but its code cache; the Kubernetes Deployment runs it as uid 1000 (node) read-only
ENV OTELSTACK_CODE_CACHE=off
USER node
ENTRYPOINT ["otelstack"]
