# The bot image: `stretchbot` installed from this repo like any package (not editable): the
# migrations and the content pack ship inside it, so the source tree is not kept.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 stretchbot

# Exactly what the package is built from (tests/test_wheel.py builds the wheel from these too).
COPY pyproject.toml setup.py README.md /src/
COPY bot /src/bot
COPY content /src/content
RUN pip install /src && rm -rf /src && mkdir -p /app/data && chown stretchbot /app/data

WORKDIR /app
USER stretchbot
ENTRYPOINT ["stretchbot"]
CMD ["run"]
