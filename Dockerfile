# Multi-stage: wheels are built with compilers in the first stage; the runtime has none.
# BASE_IMAGE is an argument so that the image can be built where no registry is reachable
# (pass a locally imported base with Python 3.11+).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service/ service/
COPY classifier/ classifier/
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${BASE_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MODERATION_HOST=0.0.0.0 \
    MODERATION_PORT=8000 \
    MODERATION_DATA_DIR=/var/lib/moderation
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/moderation moderation
USER 10001
WORKDIR /var/lib/moderation
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('MODERATION_PORT', '8000'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/readyz', timeout=2).status != 200)"]
# REDIS_URL must point at a Redis with append-only persistence; scoring workers run as
# separate containers (`moderation worker`), so this one serves HTTP only.
CMD ["moderation", "serve", "--scoring-workers", "0"]
