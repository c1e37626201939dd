"""``djust.testing.LiveViewTestClient``: a LiveView mounted and driven through the
code the socket runs (``djust.session.Session``), without a browser or a server."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from djust_test_views import Cached, ContactForm, Counter, MembersOnly, NobodyAllowed, Typed

from djust.testing import LiveViewTestClient, MountRefused


class SignedIn(AnonymousUser):
    """A user without a database row: signed in as far as views can tell."""

    @property
    def is_authenticated(self) -> bool:
        return True


def test_mount_state_html_events_and_patches() -> None:
    client = LiveViewTestClient(Counter, title="Stock")
    assert client.reply["type"] == "mounted"
    assert client.state["count"] == 0 and client.state["title"] == "Stock"
    assert '<span dj-id="3" class="count">0</span>' in client.html
    reply = client.event("inc", step="2")
    assert reply["type"] == "patch" and reply["v"] == 2
    assert client.state["count"] == 2
    assert [(p["op"], p["text"]) for p in client.patches] == [("text", "2")]
    client.assert_patched(op="text", text="2")
    assert '<span dj-id="3" class="count">2</span>' in client.html
    client.event("add", value="z")
    client.assert_patched(op="insert", text="z")
    with pytest.raises(AssertionError, match="no patch"):
        client.assert_patched(text="nothing like this")


def test_errors_redirects_and_no_op_events_are_replies() -> None:
    client = LiveViewTestClient(Counter)
    client.event("not_a_handler")
    client.assert_error("invalid")
    assert "no event handler" in client.reply["message"]
    client.event("scroll")  # a handler that changes nothing
    client.assert_not_patched()
    client.event("leave")
    client.assert_redirect("/products/7/")
    with pytest.raises(AssertionError):
        client.assert_redirect("/elsewhere/")


def test_dj_model_updates_are_converted_as_over_the_socket() -> None:
    client = LiveViewTestClient(Typed)
    client.model("count", "41")
    client.event("bump")
    assert client.state["count"] == 42
    client.model("count", {"a": 1})
    client.assert_error("invalid")
    assert client.state["count"] == 42


def test_permissions_run_as_for_a_mount() -> None:
    with pytest.raises(MountRefused) as refused:
        LiveViewTestClient(MembersOnly)
    assert refused.value.response.status_code == 302
    assert LiveViewTestClient(MembersOnly, user=SignedIn()).state["count"] == 0
    with pytest.raises(PermissionDenied):
        LiveViewTestClient(NobodyAllowed)


def test_a_failing_assertion_fails() -> None:
    client = LiveViewTestClient(Counter)
    with pytest.raises(AssertionError, match="not a patch"):
        client.assert_patched()
    client.event("inc")
    with pytest.raises(AssertionError, match="expected no patches"):
        client.assert_not_patched()
    with pytest.raises(AssertionError, match="expected an error"):
        client.assert_error()


def test_dj_model_with_modifiers_binds_its_field() -> None:
    """``dj-model.trim.debounce-300`` (issue 21) is a binding: the server accepts its
    field (regression: only ``dj-model`` and ``dj-model.lazy`` were allowed)."""
    from djust_test_views import Modified

    client = LiveViewTestClient(Modified)
    client.model("title", "Trimmed")
    client.assert_patched(text="Trimmed")
    client.model("secret_when_big", "x")
    assert client.reply["type"] == "patch"
    client.model("count", "3")
    client.assert_error("invalid")


def test_a_param_called_name_reaches_the_handler() -> None:
    """Regression: a form with a ``name`` field could not be submitted (``event()``
    took ``name`` as the event's own name: TypeError, multiple values)."""
    client = LiveViewTestClient(ContactForm)
    client.event("submit", name="Ada", email="ada@lovelace.org")
    assert client.view.sent == "Thanks, Ada"


def test_a_cached_fragment_stays_until_its_key_is_deleted() -> None:
    """``{% cache %}`` in a LiveView's template behaves as in a Django page: an event
    re-renders the view, the cached fragment keeps what it stored (no patch for it)
    until the project deletes its key, and the next render shows the new value."""
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    cache.clear()
    client = LiveViewTestClient(Cached)
    assert '<p dj-id="1" class="cached">0</p>' in client.html
    client.event("inc", step="2")
    assert [(p["op"], p["text"]) for p in client.patches] == [("text", "2")]
    assert 'class="cached">0</p>' in client.html and 'class="count">2</span>' in client.html
    cache.delete(make_template_fragment_key("totals"))
    client.event("inc")
    assert sorted(p["text"] for p in client.patches) == ["3", "3"]
    assert 'class="cached">3</p>' in client.html
