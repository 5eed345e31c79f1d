"""TODO(partner-referrals): the partner pull-and-acknowledge loop, as a sketch.

NOT A TEST: pytest collects only ``test_*.py``, so nothing here runs. It waits for
``/v1/partner/referrals`` (another engineer's work). When those operations land,
``test_the_partner_loop_is_added_when_its_endpoints_land`` in
``test_python_client.py`` fails until this file is turned into
``tests/clients/test_partner_loop.py`` (and this one deleted):

1. Rename the module, keep ``pytestmark = pytest.mark.clients``, and reuse the
   ``vac`` fixture (move it to ``conftest.py``) and ``live_server``.
2. Arrange: a STAFF client refers a synthetic victim to organisation
   ``org-test-partner`` (``new_client(app, Channel.PARTNER)`` gives that
   organisation by default), and one to another organisation.
3. Pull: the PARTNER client lists ``GET /v1/partner/referrals`` with the generated
   ``list_partner_referrals`` (name from the operationId), following
   ``next_cursor`` to the last page. It sees its own organisation's referral and
   never the other one (another organisation's object answers like a missing one:
   a typed 404 Problem when read by id).
4. Acknowledge: it acknowledges the referral with the operation the contract
   defines (with ``Idempotency-Key`` and, if the resource is versioned,
   ``If-Match`` from the ETag), then checks a replay is ``Idempotent-Replayed``
   and a second pull no longer offers it (or shows it acknowledged).
5. Audit: an AUDITOR pull by the referral's case id finds the DISCLOSURE to the
   partner's organisation (``recipient``) and the partner's acknowledgement.

The shape the test will take, with the names to confirm against the contract::

    def test_partner_pulls_and_acknowledges(vac, live_server, app) -> None:
        from victim_api_client.api.partner import (  # tag and names: check the contract
            acknowledge_partner_referral,
            list_partner_referrals,
        )

        partner = new_client(app, Channel.PARTNER)
        referral_id = refer_a_synthetic_victim(app, organisation="org-test-partner")
        with token(vac, live_server, partner) as client:
            pulled = pull_every_page(list_partner_referrals, client)
            assert referral_id in {r.id for r in pulled}
            done = acknowledge_partner_referral.sync_detailed(
                client=client, referral_id=referral_id, idempotency_key=new_key()
            )
            assert done.status_code in (200, 204)
            again = pull_every_page(list_partner_referrals, client)
            assert referral_id not in {r.id for r in again}
"""
