# The shop's bot in a slim Python image, running as a non-root user.
# Build:  docker build -t smm-bot .
# Run:    docker run -d --name smm-bot --env-file .env -v smm-data:/data smm-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/bot.sqlite3 \
    WEBHOOK_HOST=0.0.0.0

RUN useradd --create-home --uid 10001 shop \
    && mkdir /data && chown shop:shop /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY bot ./bot
COPY handlers ./handlers
COPY shop ./shop
COPY locales ./locales
RUN pip install --editable . && chown -R shop:shop /app

USER shop
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_URL set).
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["smm-bot"]
