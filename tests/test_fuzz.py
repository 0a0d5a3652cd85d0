"""The fuzz pass: schemathesis over every operation of /api/openapi.json, as four callers.

Anonymous, a member, a leader and the shop's owner each call every operation with requests
generated from the document (a few per operation, derandomized: the same run every time, no
example database). Path ids are the world's own (tests/world.py, plus a live campaign), so the
calls reach real rows, not only 404s. Every answer must be no server error, and match the
document: a documented status, a documented content type, a body that conforms (the error
shape {code, message, field} included).

Each operation runs in a transaction rolled back afterwards, so one operation's writes (a deleted
category, a cancelled campaign) do not change what the next one sees.
"""

import time
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from tuangou.accounts.models import ApiToken
from tuangou.campaigns.models import CampaignLeader
from tuangou.orders.models import Order

from .world import add_live_order, build_world

# Committed world (not the usual test transaction): the live feed reads on its own thread, which
# on SQLite cannot read a table another connection has written and not committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

# Generated requests per operation and mode: 128 operations × 4 callers × 2 modes take ~40-100 s.
EXAMPLES = {"anonymous": 2, "member": 4, "leader": 4, "owner": 4}
# Valid requests, and requests that break the document (wrong types, out-of-range numbers, missing
# fields): both must get a documented answer, never a 500.
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzz_world() -> tuple[dict, dict]:
    """The world of tests/world.py with a live campaign the leader runs, and a token per caller."""
    world = build_world("甲", 13911110000)
    live = add_live_order(world, Order.Status.PAID, "0002").campaign
    CampaignLeader.objects.create(
        shop=world["shop"], campaign=live, leader_id=world["ids"]["leader_id"], joined_at=timezone.now()
    )
    live.cutoff_at = timezone.now() + timedelta(days=2)
    live.save(update_fields=["cutoff_at"])
    ids = {**world["ids"], "campaign_id": live.id}
    headers = {"anonymous": {}}
    for role, user in (("member", world["member"]), ("leader", world["leader_user"]), ("owner", world["owner"])):
        key = ApiToken.new_key()
        ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), name="fuzz")
        headers[role] = {"Authorization": f"Bearer {key}"}
    return ids, headers


class NoConnectionReset:
    """Django's WSGI handler closes the database connection at the end of a request; the test's
    transaction lives on it. Django's own test client does the same: unhook that while we call."""

    def __enter__(self):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc):
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def fuzz_operation(operation, app, ids: dict, headers: dict, examples: int, mode, statuses: dict) -> list[str]:
    problems: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for name in case.path_parameters or {}:
            if name in ids:
                case.path_parameters[name] = ids[name]
        try:
            response = case.call(app=app, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failures, report them together
            if len(problems) < 3:
                problems.append(f"{case.method} {case.formatted_path}: {str(error)[:1500]}")

    # This block only isolates one operation's examples, as a test case's own block does: it
    # stands for autocommit, so calls that must run outside our transactions may run here.
    isolation = transaction.atomic()
    isolation._from_testcase = True
    with isolation:
        try:
            run()
        except Unsatisfiable:  # nothing to break in this operation (no parameters, no body)
            pass
        transaction.set_rollback(True)
    return problems


def test_every_operation_answers_as_documented_for_every_caller():
    ids, headers = fuzz_world()
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    started, problems, runs, statuses = time.monotonic(), [], 0, {}
    with NoConnectionReset():
        for role, examples in EXAMPLES.items():
            statuses[role] = {}
            for operation in operations:
                for mode in MODES:
                    found = fuzz_operation(operation, app, ids, headers[role], examples, mode, statuses[role])
                    problems += [f"[{role}, {mode.value}] {problem}" for problem in found]
                runs += 1
    print(f"fuzzed {len(operations)} operations × {len(EXAMPLES)} callers in {time.monotonic() - started:.0f} s")
    print("statuses:", {role: dict(sorted(counts.items())) for role, counts in statuses.items()})
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)
    assert runs == len(operations) * len(EXAMPLES) and len(operations) > 100
