# The bot in a container: see docs/operations.md ("Docker").
#   docker build -t backspasm-bot .
#   docker run -d --name backspasm-bot --restart on-failure --env-file .env \
#     -v backspasm-data:/data backspasm-bot
# Webhook mode: add -e BOT_MODE=webhook (or set it in .env) and -p 127.0.0.1:8080:8080.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package needs: never .env, data/ or a local .venv.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY content ./content
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/bot --shell /usr/sbin/nologin bot \
    && install -d -o bot -g bot -m 0700 /data

# The database lives on the volume. In a container the webhook server must listen on every
# interface for a published port to reach it; publish it on the host's loopback only.
ENV DATABASE_PATH=/data/bot.sqlite3 \
    WEBHOOK_LISTEN=0.0.0.0
VOLUME ["/data"]
EXPOSE 8080

USER bot
WORKDIR /home/bot

# Webhook mode: GET /healthz answers 200 while the bot runs, 503 otherwise. Polling mode has no
# HTTP server; there the container's state is the process's state, so the check just passes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, sys, urllib.request; sys.exit(0) if os.environ.get('BOT_MODE', 'polling').strip().lower() != 'webhook' else urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEBHOOK_PORT', '8080'), timeout=4)"

# SIGTERM (docker stop) finishes the updates in hand and closes the database cleanly.
CMD ["backspasm-bot"]
