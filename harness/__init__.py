"""The real things tests and benchmarks both start: an SMTP server, Celery workers, a private
Redis, an empty database, spreadsheets as clerks send them and hostile ones. Neither tests nor
benchmarks own it, so a benchmark never imports a test module; the product never imports it."""
