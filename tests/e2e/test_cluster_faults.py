"""Faults while visitors chat through nginx: a Rasa server killed, PostgreSQL restarted, the action
server stopped, everything restarted. Each is bounded in time; the figures are printed.

Background visitors behave like the widget: a failed message is offered for retry, and they press
Retry (at most a few times, a second apart).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time

from tests.e2e.visitors import (
    Visitor,
    booking_script,
    faq_script,
    lost_and_extra,
    summary,
)

WEB_TIMEOUT_S = 15  # web/site.py: RASA_TIMEOUT_S, after which the visitor gets a 503
# A try taking longer than WEB_TIMEOUT_S + 5 s (TLS, nginx, a busy machine) counts as a hang;
# the visitors themselves give up only after 30 s.


async def _visitor(
    cluster, index: int, turns: int, waiting: set | None = None, start_after: float = 0
) -> Visitor:
    """A visitor asking `turns` questions, pressing Retry when one fails; `waiting` holds the
    visitors waiting for an answer at any moment."""
    await asyncio.sleep(start_after)
    async with Visitor(cluster.base_url, str(cluster.cafile), index, waiting=waiting) as visitor:
        for text, _ in faq_script(index, turns):
            await visitor.say_until_answered(text, tries=10)
        return visitor


def _resent_by_nginx(error_log) -> int:
    """Messages nginx re-sent to the other server because theirs died processing them: each is
    logged as an [error] "... while reading response header from upstream" (connection reset,
    or upstream prematurely closed connection)."""
    if not error_log.exists():
        return 0
    return sum(
        "[error]" in line and "while reading response header from upstream" in line
        for line in error_log.read_text().splitlines()
    )


def _lost_and_extra(cluster, visitors):
    return lost_and_extra(cluster.tracker_db_url, visitors)


def test_a_restart_of_postgresql_under_load_hangs_no_visitor_and_the_chat_goes_on(cluster, report):
    async def run():
        load = [asyncio.create_task(_visitor(cluster, 200 + i, 10)) for i in range(8)]
        async with Visitor(cluster.base_url, str(cluster.cafile), 250) as visitor:
            assert "pregnant" in (await visitor.say("I want to book")).reply.lower()
            await asyncio.sleep(1)
            started = time.monotonic()
            await asyncio.to_thread(cluster.postgres.restart)
            downtime = time.monotonic() - started
            after = await visitor.say_until_answered("no", tries=5)
        return downtime, after, await asyncio.wait_for(asyncio.gather(*load), 120)

    downtime, after, visitors = asyncio.run(run())
    attempts = [t for v in visitors for t in v.turns]
    lost, extra = _lost_and_extra(cluster, visitors)
    report(
        f"PostgreSQL restarted ({downtime:.1f} s) under load: {summary(attempts)} (tries, "
        f"with Retry); {len(lost)} answered turns missing from PostgreSQL, {len(extra)} "
        "stored but not seen answered"
    )
    # Every try got an answer or a polite error within the web app's timeout: no hang.
    assert all(t.status in (200, 502, 503) for t in attempts), [
        (t.status, t.error) for t in attempts if t.status not in (200, 502, 503)
    ]
    assert all(t.ok or t.error for t in attempts)
    assert max(t.seconds for t in attempts) < WEB_TIMEOUT_S + 5
    # Afterwards the conversations go on: the screening at the question where it was, and
    # every background visitor got through all of their questions.
    assert after.ok and re.search(r"inflamed|cystic", after.reply, re.I), after
    assert all(v.turns[-1].ok for v in visitors)
    # A turn that could not be stored was not answered either (channels/rest.py): what a
    # visitor was told is what the conversation holds.
    assert not lost, lost


def test_with_postgresql_down_a_visitor_mid_screening_gets_a_polite_error(cluster, report):
    async def run():
        async with Visitor(cluster.base_url, str(cluster.cafile), 260) as visitor:
            await visitor.say("I want to book")
            await asyncio.to_thread(cluster.postgres.stop)
            try:
                during = await visitor.say("no")
            finally:
                await asyncio.to_thread(cluster.postgres.start)
            # The visitor's Retry, once the database is back: the screening goes on where it was.
            return during, await visitor.say_until_answered("no", tries=5)

    during, after = asyncio.run(run())
    report(
        f"PostgreSQL down: a visitor mid-screening answering 'no' got HTTP {during.status} in "
        f"{during.seconds:.2f} s: {during.reply[:70]!r}{during.error!r}"
    )
    assert during.seconds < WEB_TIMEOUT_S
    assert during.status in (502, 503) and during.error, during
    assert after.ok and re.search(r"inflamed|cystic", after.reply, re.I), after


def test_with_the_action_server_down_a_visitor_gets_a_clear_reply_within_5_s(cluster, report):
    async def run():
        load = [asyncio.create_task(_visitor(cluster, 300 + i, 8)) for i in range(6)]
        async with Visitor(cluster.base_url, str(cluster.cafile), 350) as visitor:
            await asyncio.sleep(1)
            await asyncio.to_thread(cluster.actions.stop)
            down = [await visitor.say(text) for text in ("does it hurt?", "how long does it take?")]
            await asyncio.to_thread(cluster.revive)
            back = await visitor.say_until_answered("does it hurt?", tries=3)
        return down, back, await asyncio.wait_for(asyncio.gather(*load), 120)

    down, back, visitors = asyncio.run(run())
    attempts = [t for v in visitors for t in v.turns]
    report(
        f"action server stopped under load: the visitor got HTTP "
        f"{[t.status for t in down]} in {[round(t.seconds, 2) for t in down]} s: "
        f"{down[0].error!r}; background {summary(attempts)} (tries, with Retry)"
    )
    for turn in down:
        assert turn.status == 502 and turn.seconds < 5, turn
        assert re.search(r"could not answer", turn.error), turn.error
    assert back.ok and re.search(r"an(a)?esthetic|numb", back.reply, re.I)
    assert all(v.turns[-1].ok for v in visitors)


def test_a_rasa_server_killed_under_load_loses_no_conversation(cluster, report):
    """nginx re-sends the messages the killed server was processing to the other one, which
    first waits for the dead server's lock on those conversations to expire (TICKET_LOCK_LIFETIME,
    10 s in the cluster; the waiting server keeps its own ticket alive meanwhile,
    stores/lock_store.py), then answers, within the web app's 15 s timeout when the machine
    keeps up. So at most the messages in flight on the killed server fail, politely and within
    the timeout, and nothing any visitor saw answered is lost; a message the killed server had
    already stored may be stored a second time."""
    victim = cluster.rasa[0]
    error_log = cluster.workdir / "nginx" / "error.log"
    resent_before = _resent_by_nginx(error_log)
    visitors_n = 16

    async def run():
        # Visitors start a little apart, as they would, so that some always wait for an
        # answer; the server is killed when several do (some of them on that server).
        waiting: set = set()
        load = [
            asyncio.create_task(
                _visitor(cluster, 100 + i, 12, waiting=waiting, start_after=0.07 * i)
            )
            for i in range(visitors_n)
        ]
        await asyncio.sleep(2)
        deadline = time.monotonic() + 5
        while len(waiting) < visitors_n // 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        os.killpg(victim.popen.pid, signal.SIGKILL)
        victim.popen.wait(10)
        return await asyncio.wait_for(asyncio.gather(*load), 150)

    visitors = asyncio.run(run())
    tries = [t for v in visitors for t in v.turns]
    failed = [t for t in tries if not t.ok]
    resent = _resent_by_nginx(error_log) - resent_before
    lost, extra = _lost_and_extra(cluster, visitors)
    report(
        f"kill -9 of Rasa server A under load: {summary(tries)} (tries, with Retry); nginx "
        f"re-sent {resent} messages A was processing to B; {sum(t.seconds > 2 for t in tries)} "
        f"waited for A's lock; failed tries: {[(t.status, round(t.seconds, 1)) for t in failed]}"
        f"; {len(lost)} answered turns missing from PostgreSQL, {len(extra)} stored but not "
        f"seen answered {[text for text, _ in extra]}"
    )
    assert not victim.running()
    # Every conversation went on to its end through server B.
    assert all(v.turns[-1].ok for v in visitors)
    assert sum(t.ok for t in tries) == visitors_n * 12
    # Only messages A held failed, each with a polite error within the web app's timeout.
    assert len(failed) <= visitors_n // 2, failed
    assert all(t.status in (502, 503) and t.error for t in failed), failed
    assert max(t.seconds for t in tries) < WEB_TIMEOUT_S + 5
    assert lost == []
    # A message nginx re-sent may have been processed twice: A died after saving its turn but
    # before answering (B processes it again), or B got through the lock after the web app
    # had given up (the visitor's Retry is processed again).
    assert len(extra) <= resent, extra


def test_after_everything_restarts_screenings_resume_where_they_were(cluster, report):
    # Five visitors stopped at five points of the booking: each of the four screening
    # questions, and the contact form's first question.
    scripts = [booking_script(400 + i)[5:] for i in range(5)]

    async def before():
        visitors = []
        for i, script in enumerate(scripts):
            async with Visitor(cluster.base_url, str(cluster.cafile), 400 + i) as visitor:
                for text, expected in script[: i + 1]:
                    turn = await visitor.say(text)
                    assert turn.ok and re.search(expected, turn.reply, re.I), (text, turn)
                visitors.append((visitor.sender, visitor.cookies))
        return visitors

    async def after(senders):
        for i, (script, (sender, cookies)) in enumerate(zip(scripts, senders, strict=True)):
            # The same visitor, reconnecting (as the widget does after a reload).
            async with Visitor(
                cluster.base_url, str(cluster.cafile), 400 + i, sender, cookies=cookies
            ) as visitor:
                for text, expected in script[i + 1 : i + 3]:
                    turn = await visitor.say_until_answered(text, tries=3)
                    assert turn.ok and re.search(expected, turn.reply, re.I), (
                        i,
                        text,
                        turn.reply,
                        turn.error,
                    )

    senders = asyncio.run(before())
    started = time.monotonic()
    cluster.stop()
    cluster.start()
    restarted = time.monotonic() - started
    asyncio.run(asyncio.wait_for(after(senders), 120))
    report(
        f"everything stopped and started again in {restarted:.0f} s: 5 visitors caught at "
        "5 points of the booking went on from where they were"
    )
