# A Redis image built from the local base, for compose runs where no registry is reachable
# (docker compose uses redis:7-alpine otherwise; see REDIS_IMAGE in docker-compose.yml).
ARG BASE_IMAGE=moderation-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server=5:7.0.* \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data"]
