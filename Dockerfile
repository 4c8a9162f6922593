# The bot image: `stretchbot` installed from this repo, content pack and migrations included.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 stretchbot

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY alembic ./alembic
COPY content ./content
# Editable so the migrations (alembic/) and content pack (content/) are found beside the code.
RUN pip install -e . && mkdir -p /app/data && chown stretchbot /app/data

USER stretchbot
ENTRYPOINT ["stretchbot"]
CMD ["run"]
