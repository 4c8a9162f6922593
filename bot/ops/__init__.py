"""Running the bot for real: metrics, the health/metrics endpoint, graceful shutdown."""
