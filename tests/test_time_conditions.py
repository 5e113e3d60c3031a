"""Time conditions on an injected clock: weekly hours, time zones, holidays, night mode."""

from datetime import UTC, datetime

import pytest

from pbx.call_flows import CallFlows
from pbx.calls import Leg
from pbx.catalog import SettingError
from pbx.time_condition_service import TimeConditionService
from pbx.time_conditions import TimeCondition, WeeklyRange

pytestmark = pytest.mark.usefixtures("destination_kinds")


def at(text: str) -> datetime:
    """An instant; without an offset, UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def office(**settings) -> TimeCondition:
    values = {
        "open_destination": "ivr:main",
        "closed_destination": "announce:closed",
        "schedule": ("mon-fri 09:00-17:30",),
        "timezone": "Europe/London",
        **settings,
    }
    return TimeCondition("office", **values).check()


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-05-04T07:59", False),  # Monday 08:59 in London (UTC+1 in May): early
        ("2026-05-04T08:00", True),  # 09:00 in London
        ("2026-05-08T16:29", True),  # Friday 17:29 local
        ("2026-05-08T16:30", False),  # Friday 17:30 local: the end is not included
        ("2026-05-09T11:00", False),  # Saturday
    ],
)
def test_weekly_hours_are_read_in_the_conditions_time_zone(moment, is_open):
    assert office().state_at(at(moment))[0] is is_open


def test_the_same_instant_is_open_in_one_zone_and_closed_in_another():
    instant = at("2026-03-02T08:30")  # a Monday
    assert not office(timezone="Europe/London").state_at(instant)[0]  # 08:30 there
    assert office(timezone="Europe/Paris").state_at(instant)[0]  # 09:30 there
    # Summer time: London opens an hour earlier in UTC after the last Sunday of March.
    assert office().state_at(at("2026-03-30T08:30"))[0]


def test_ranges_past_midnight_belong_to_the_day_they_start():
    night = WeeklyRange.parse("fri 22:00-02:00")
    assert night.contains(at("2026-05-08T23:00"))  # Friday night
    assert night.contains(at("2026-05-09T01:59"))  # early Saturday
    assert not night.contains(at("2026-05-09T02:00"))
    assert not night.contains(at("2026-05-07T23:00"))  # Thursday night
    assert WeeklyRange.parse("sat-mon").days == {5, 6, 0}
    assert WeeklyRange.parse("sun").contains(at("2026-05-10T23:59"))


@pytest.mark.parametrize(
    ("holiday", "day", "closed"),
    [
        ("2026-12-25", "2026-12-25T10:00", True),
        ("2026-12-25", "2027-12-24T10:00", False),
        ("12-25", "2030-12-25T10:00", True),  # every year
        ("2026-12-24..2026-12-28", "2026-12-28T10:00", True),
        ("12-31..01-02", "2027-01-01T10:00", True),  # over New Year, every year
        ("12-31..01-02", "2026-12-30T10:00", False),
        ("02-29", "2028-02-29T10:00", True),
        ("02-29", "2027-02-28T10:00", False),  # no 29th that year: no holiday, no error
    ],
)
def test_holidays_close_whole_local_days(holiday, day, closed):
    condition = office(schedule=("mon-sun 00:00-24:00",), holidays=(holiday,))
    assert condition.state_at(at(day)) == ((False, "holiday") if closed else (True, "open hours"))


def test_night_mode_and_forced_open_override_the_schedule():
    during_hours, at_night = at("2026-05-04T10:00"), at("2026-05-04T22:00")
    assert office(override="closed").state_at(during_hours) == (False, "night mode")
    assert office(override="open").state_at(at_night) == (True, "forced open")
    assert office(override="closed").destination_at(during_hours) == "announce:closed"
    assert office().destination_at(during_hours) == "ivr:main"


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"schedule": ("mon-fry 09:00-17:00",)}, "days are mon, tue"),
        ({"schedule": ("mon 09:00-25:00",)}, "not a time of day"),
        ({"schedule": ("monday morning",)}, "a schedule entry is like"),
        ({"holidays": ("2026-02-30",)}, "not a date"),
        ({"holidays": ("christmas",)}, "a holiday is like"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"override": "sleep"}, "override must be one of"),
        ({"feature_code": "28"}, "a feature code is *"),
        ({"open_destination": "fax:1"}, "destination must be one of"),
    ],
)
def test_bad_settings_are_named(settings, complaint):
    with pytest.raises(SettingError, match=complaint.replace("*", r"\*")):
        office(**settings)


class Routed:
    """Records where the service sends calls (the router's `send`)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def __call__(self, leg, destination: str) -> None:
        self.sent.append(destination)


@pytest.mark.asyncio
async def test_the_service_routes_by_its_clock_and_remembers_night_mode(config_store):
    flows = CallFlows(config_store, prompts=None)
    await flows.time_conditions.put(
        office(open_destination="ext:1001", closed_destination="hangup")
    )
    now = [at("2026-05-04T10:00")]
    routed, leg = Routed(), Leg(1, "inbound")
    service = TimeConditionService(
        flows.time_conditions, None, None, None, send=routed, clock=lambda: now[0]
    )
    await service.route(leg, "office")
    now[0] = at("2026-05-04T20:00")
    await service.route(leg, "office")
    await flows.set_override("office", "closed")
    now[0] = at("2026-05-05T10:00")
    await service.route(leg, "office")
    assert routed.sent == ["ext:1001", "hangup", "hangup"]

    await flows.time_conditions.set("office", feature_code="*281")
    with pytest.raises(SettingError, match="feature code \\*281 is taken by tc office"):
        await flows.time_conditions.set(
            "desk", open_destination="hangup", closed_destination="hangup", feature_code="*281"
        )

    reloaded = CallFlows(config_store, prompts=None)
    await reloaded.load()
    assert reloaded.time_conditions.get("office").override == "closed"
    state = reloaded.time_condition_state("office", at("2026-05-05T10:00"))
    assert (state["open"], state["why"]) == (False, "night mode")
