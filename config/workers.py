"""How many gunicorn sync workers `make run` starts (manage.py serve) when WEB_WORKERS is not set:
two per core (one waits on PostgreSQL while the other runs), at least 2, at most 8. No Django
import here: bench/run.py reads it before Django is set up."""

import os


def default_workers() -> int:
    return max(2, min(8, 2 * (os.cpu_count() or 1)))
