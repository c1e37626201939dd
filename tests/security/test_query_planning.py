"""Query planning on the example project's ticket list (issue 22, point 4): the page
iterates a lazy QuerySet of tickets and reads each one's customer, its messages and
their authors. Without planning that is one query per ticket and more per message
author (N+1); with it, a constant three, whatever the number of tickets, and the HTML
is byte-identical. Run inside the example project (its models, its templates, its
settings) with Django's ``CaptureQueriesContext``."""

from __future__ import annotations

import json

CODE = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from djust.testing import LiveViewTestClient
from support.models import Message, Ticket
from support.views import TicketListView

User = get_user_model()
helper = User.objects.create_user("planner-helper", "h@example.com", "a long password 1")
out = {}
for n in (4, 16):
    owner = User.objects.create_user(f"planner-{n}", f"p{n}@example.com", "a long password 2")
    for i in range(n):
        ticket = Ticket.objects.create(customer=owner, subject=f"Ticket {i}", status="open")
        for j in range(3):
            Message.objects.create(ticket=ticket, author=helper if j % 2 else owner, body=f"m{j}")
    for planning in (True, False):
        settings = override_settings(DJUST={"QUERY_PLANNING": planning}, ALLOWED_HOSTS=["testserver"])
        with settings, CaptureQueriesContext(connection) as ctx:
            client = LiveViewTestClient(TicketListView, user=owner)
        out[f"{'on' if planning else 'off'}{n}"] = {"queries": len(ctx.captured_queries), "html": client.html}
print(json.dumps(out))
"""


def test_the_ticket_list_costs_a_constant_number_of_queries_with_the_same_html(server) -> None:
    out = json.loads(server.django(CODE))
    on4, off4, on16, off16 = (out[k]["queries"] for k in ("on4", "off4", "on16", "off16"))
    # Off: at least one query per ticket (its customer) and per ticket's messages.
    assert off4 >= 2 * 4 and off16 >= 2 * 16 and off16 > off4, out
    # On: the tickets with their customers, the messages, their authors.
    assert on4 == on16 == 3, (on4, on16)
    assert out["on4"]["html"] == out["off4"]["html"] and out["on16"]["html"] == out["off16"]["html"]
    assert out["on16"]["html"].count("3 messages, last from planner-16") == 16
    print(f"\nticket list queries: 4 tickets {off4} -> {on4}, 16 tickets {off16} -> {on16}")
