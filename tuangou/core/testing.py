"""Test helpers every app's tests share. The API clients that log in as people do (reading the
development SMS inbox) are in tuangou.accounts.testing: logging in is the accounts app's."""

import json


def ok(response, status: int = 200):
    """The JSON body of a response that must have this status (shows the body when it doesn't)."""
    content = body(response)
    assert response.status_code == status, f"{response.status_code}: {content.decode()[:800]}"
    return json.loads(content) if content else None


def body(response) -> bytes:
    """The bytes of a test client's response, built whole or streamed (a FileResponse), or of a real HTTP one."""
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def race(jobs) -> list[str]:
    """Run each job in its own thread, all released at once, each on its own database connection:
    the outcome of each, "done" or the ApplicationError's code (anything else as its repr, for the
    assertions to show). In any order."""
    import threading

    from django.db import connection

    from tuangou.core.errors import ApplicationError

    start = threading.Barrier(len(jobs))
    outcomes, lock = [], threading.Lock()

    def run(job):
        try:
            start.wait()
            job()
            outcome = "done"
        except ApplicationError as error:
            outcome = error.code
        except Exception as error:  # anything else is a bug the assertions show
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
