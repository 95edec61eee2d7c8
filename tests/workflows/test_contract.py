"""The workflows API: list, GET and PUT (a full replace, answered as GET answers), enrolments
with paging; bad bodies are 400s in HubSpot's error shape naming the field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

WORKFLOWS = "/extensions/ecomm/v2/workflows"
CUSTOM = {
    "key": "abandoned-cart",
    "enabled": True,
    "storeIds": ["main", "outlet"],
    "inactivityDays": None,
    "emails": [
        {
            "delayMinutes": 0.5,
            "subject": "{{ contact.firstname }}, your cart",
            "bodyTemplate": None,
        },
        {
            "delayMinutes": 1440,
            "subject": "Still thinking?",
            "bodyTemplate": "<p>Hi {{ contact.firstname }}</p>{{ cart_table }}"
            "{% for item in cart.line_items %}{{ item.name }}{% endfor %}",
        },
    ],
}


def test_every_portal_has_three_workflows_off_by_default(client: TestClient, hapikey: Any) -> None:
    response = client.get(hapikey(WORKFLOWS))
    assert response.status_code == 200
    workflows = response.json()["results"]
    assert [w["key"] for w in workflows] == ["abandoned-cart", "welcome", "re-engagement"]
    assert all(w["enabled"] is False and w["storeIds"] is None for w in workflows)
    cart, welcome, again = workflows
    assert [e["delayMinutes"] for e in cart["emails"]] == [60, 1440, 4320]
    assert all(e["bodyTemplate"] is None and e["subject"] for e in cart["emails"])
    assert len(welcome["emails"]) == 1 and welcome["inactivityDays"] is None
    assert again["inactivityDays"] == 90
    assert client.get(hapikey(f"{WORKFLOWS}/welcome")).json() == welcome


def test_put_replaces_the_workflow_and_get_answers_what_was_put(
    client: TestClient, hapikey: Any
) -> None:
    put = client.put(hapikey(f"{WORKFLOWS}/abandoned-cart"), json=CUSTOM)
    assert put.status_code == 200, put.text
    assert put.json() == CUSTOM
    assert client.get(hapikey(f"{WORKFLOWS}/abandoned-cart")).json() == CUSTOM
    without_key = {k: v for k, v in CUSTOM.items() if k != "key"} | {"enabled": False}
    again = client.put(hapikey(f"{WORKFLOWS}/abandoned-cart"), json=without_key)
    assert again.json() == without_key | {"key": "abandoned-cart"}


def test_a_private_app_token_may_use_it_and_an_app_token_may_not(
    client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    token = make_private_app_token(db, portal.id)
    assert client.get(WORKFLOWS, headers=bearer(token)).status_code == 200
    refused = client.get(WORKFLOWS, headers=bearer(installed_app.access_token))
    assert refused.status_code == 403
    assert_hubspot_error(refused.json(), "INVALID_AUTHENTICATION")
    assert client.get(WORKFLOWS).status_code == 401


def email(**changes: Any) -> dict[str, Any]:
    return {"delayMinutes": 60, "subject": "Hello", "bodyTemplate": None} | changes


BAD_BODIES = [
    (None, "body"),
    ([], "body"),
    (CUSTOM | {"colour": "red"}, "colour"),
    (CUSTOM | {"key": "welcome"}, "key"),
    (CUSTOM | {"enabled": "yes"}, "enabled"),
    ({k: v for k, v in CUSTOM.items() if k != "enabled"}, "enabled"),
    (CUSTOM | {"storeIds": "main"}, "storeIds"),
    (CUSTOM | {"storeIds": ["ok", 7]}, "storeIds[1]"),
    (CUSTOM | {"inactivityDays": 1.5}, "inactivityDays"),
    (CUSTOM | {"inactivityDays": 0}, "inactivityDays"),
    (CUSTOM | {"emails": []}, "emails"),
    (CUSTOM | {"emails": [email()] * 11}, "emails"),
    (CUSTOM | {"emails": [email(delayMinutes=-1)]}, "emails[0].delayMinutes"),
    (CUSTOM | {"emails": [email(delayMinutes="60")]}, "emails[0].delayMinutes"),
    (CUSTOM | {"emails": [email(delayMinutes=True)]}, "emails[0].delayMinutes"),
    (CUSTOM | {"emails": [email(), email(delayMinutes=30)]}, "emails[1].delayMinutes"),
    (CUSTOM | {"emails": [email(subject="")]}, "emails[0].subject"),
    (CUSTOM | {"emails": [email(subject="{{ contact.")]}, "emails[0].subject"),
    (CUSTOM | {"emails": [email(bodyTemplate=42)]}, "emails[0].bodyTemplate"),
    (CUSTOM | {"emails": [email(bodyTemplate="{% for %}")]}, "emails[0].bodyTemplate"),
    (CUSTOM | {"emails": [email(bodyTemplate="{{ nope }}")]}, "emails[0].bodyTemplate"),
    (CUSTOM | {"emails": [email(extra=1)]}, "emails[0].extra"),
    (CUSTOM | {"emails": ["Hello"]}, "emails[0]"),
]
# Attempts to reach beyond the data given (one database for all: each is a request).
ESCAPES = [
    "{{ contact.__class__ }}",
    "{{ contact.email.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ contact['__class__'] }}",
    "{{ contact|attr('__class__') }}",
    "{{ cart.line_items.pop() }}",
    "{{ contact.email.upper() }}",
    "{% for c in range(3) %}{{ c.__init__.__globals__ }}{% endfor %}",
    "{{ cycler.__init__ }}",
    "{% include 'layout.html' %}",
    "{% extends 'layout.html' %}",
    "{{ 'x' * 100000 }}",
    "{{ self._TemplateReference__context }}",
]


def test_bad_bodies_are_refused_naming_the_field(client: TestClient, hapikey: Any) -> None:
    for body, field in BAD_BODIES:
        response = client.put(hapikey(f"{WORKFLOWS}/abandoned-cart"), json=body)
        assert_bad_field(response, field)
    assert client.get(hapikey(f"{WORKFLOWS}/abandoned-cart")).json()["enabled"] is False


def test_templates_reaching_beyond_their_variables_fail_at_save(
    client: TestClient, hapikey: Any
) -> None:
    for template in ESCAPES:
        body = CUSTOM | {"emails": [email(bodyTemplate=template)]}
        response = client.put(hapikey(f"{WORKFLOWS}/abandoned-cart"), json=body)
        assert_bad_field(response, "emails[0].bodyTemplate")
        assert "template" in response.json()["message"], template


def test_an_unknown_workflow_is_a_400(client: TestClient, hapikey: Any) -> None:
    for response in (
        client.get(hapikey(f"{WORKFLOWS}/birthday")),
        client.put(hapikey(f"{WORKFLOWS}/birthday"), json=CUSTOM),
        client.get(hapikey(f"{WORKFLOWS}/birthday/enrollments")),
    ):
        assert_bad_field(response, "key")


def test_enrollments_are_paged_newest_first(
    client: TestClient, hapikey: Any, db: Database, portal: Portal
) -> None:
    from ecombridge.workflows.repository import insert_enrollments

    with db.write() as conn:
        insert_enrollments(
            conn,
            [
                {
                    "portal_id": portal.id,
                    "workflow_key": "welcome",
                    "dedupe_key": f"contact:{n}",
                    "contact_id": n,
                    "deal_id": None,
                    "state": "ACTIVE",
                    "enrolled_at": 1_700_000_000_000 + n,
                }
                for n in range(1, 6)
            ],
        )
    first = client.get(hapikey(f"{WORKFLOWS}/welcome/enrollments?limit=2")).json()
    assert [e["contactId"] for e in first["results"]] == ["5", "4"]
    assert first["results"][0] == {
        "contactId": "5",
        "dealId": None,
        "state": "ACTIVE",
        "exitReason": None,
        "enrolledAt": "2023-11-14T22:13:20.005Z",
        "sent": [],
    }
    after = first["paging"]["next"]["after"]
    second = client.get(hapikey(f"{WORKFLOWS}/welcome/enrollments?limit=2&after={after}"))
    assert [e["contactId"] for e in second.json()["results"]] == ["3", "2"]
    last = client.get(hapikey(f"{WORKFLOWS}/welcome/enrollments?limit=2&after=2")).json()
    assert [e["contactId"] for e in last["results"]] == ["1"] and "paging" not in last
    for query in ("limit=x", "limit=0", "after=-1", "after=next"):
        response = client.get(hapikey(f"{WORKFLOWS}/welcome/enrollments?{query}"))
        assert response.status_code == 400
        assert response.json()["message"].startswith(query.split("=")[0])
