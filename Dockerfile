# syntax=docker/dockerfile:1
#
# One image for all five A2P services (intake, validator, registrar, messaging, optout).
# Choose the service with the command, e.g.
#   docker run --rm -p 127.0.0.1:8080:8080 -e KAFKA_BOOTSTRAP_SERVERS=... -e MONGODB_URL=... \
#       a2p-services:local python -m a2p_intake
# docker-compose.yml at the repository root does this for every service.

# Both stages must use the same Python: the venv's interpreter is a symlink into the base image.
ARG PYTHON_IMAGE=python:3.11-slim
# Keep in step with the uv that wrote uv.lock (the lock's format revision must be understood).
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# --------------------------------------------------------------------------------------------
# builder: resolve nothing, install exactly what uv.lock says into /app/.venv
# --------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

COPY --from=uv /uv /uvx /bin/

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# 1. Dependencies only: this layer is rebuilt only when the lock or a pyproject.toml changes.
#    Every workspace member's pyproject.toml is needed for uv to read the workspace; a new
#    member must be added here and in step 2.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY services/intake/pyproject.toml services/intake/pyproject.toml
COPY services/validator/pyproject.toml services/validator/pyproject.toml
COPY services/registrar/pyproject.toml services/registrar/pyproject.toml
COPY services/messaging/pyproject.toml services/messaging/pyproject.toml
COPY services/optout/pyproject.toml services/optout/pyproject.toml
COPY infra/devstack/pyproject.toml infra/devstack/pyproject.toml
COPY infra/twilio-emulator/pyproject.toml infra/twilio-emulator/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-install-workspace

# 2. The workspace's own code (installed editable: the venv points at /app/*/src).
#    infra/devstack is included for its topic creation (`a2p_devstack.topics.ensure_topics`),
#    which the compose `topics` one-shot runs from this image; infra/twilio-emulator for the
#    compose `twilio-emulator` that stands in for Twilio.
COPY shared/src shared/src
COPY services/intake/src services/intake/src
COPY services/validator/src services/validator/src
COPY services/registrar/src services/registrar/src
COPY services/messaging/src services/messaging/src
COPY services/optout/src services/optout/src
COPY infra/devstack/src infra/devstack/src
COPY infra/twilio-emulator/src infra/twilio-emulator/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages \
 && python -m compileall -q shared/src services/intake/src services/validator/src \
        services/registrar/src services/messaging/src services/optout/src infra/devstack/src \
        infra/twilio-emulator/src

# --------------------------------------------------------------------------------------------
# runtime: the venv and the sources, no uv, no build tools, not root
# --------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="a2p-services" \
      org.opencontainers.image.description="A2P 10DLC services: intake, validator, registrar, messaging, optout"

RUN groupadd --system --gid 10001 a2p \
 && useradd --system --uid 10001 --gid a2p --create-home --home-dir /home/a2p \
        --shell /usr/sbin/nologin a2p

# The services' own defaults bind 127.0.0.1, which is unreachable from outside a container.
ENV PATH=/app/.venv/bin:$PATH \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    INTAKE_HTTP_HOST=0.0.0.0 \
    VALIDATOR_HTTP_HOST=0.0.0.0 \
    REGISTRAR_HTTP_HOST=0.0.0.0 \
    MESSAGING_HTTP_HOST=0.0.0.0 \
    OPTOUT_HTTP_HOST=0.0.0.0

WORKDIR /app
COPY --from=builder /app /app

USER 10001:10001

# intake, validator, registrar, messaging, optout (each service's <NAME>_HTTP_PORT default)
EXPOSE 8080 8081 8082 8083 8084

CMD ["python", "-c", "import sys; sys.exit('a2p-services: no service chosen. Run the image with one of: python -m a2p_intake | a2p_validator | a2p_registrar | a2p_messaging | a2p_optout (e.g. docker run IMAGE python -m a2p_intake), or use docker compose up.')"]
