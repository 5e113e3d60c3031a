"""The numbering plan: what a dialled number is (local, national, ...) and its E.164 form."""

import re
from dataclasses import dataclass

from pbx import PbxError
from pbx.extensions import Permission

_DIGITS = re.compile(r"^\+?[0-9]{1,24}$")
NUMBER_FORMATS = ("e164", "e164-digits", "national")


class NumberError(PbxError):
    """A dialled number cannot be understood; the text says why."""


@dataclass(frozen=True)
class NumberPlan:
    """How numbers are dialled where the box stands.

    `country_code` without "+" (44 for the UK), the national trunk prefix ("0";
    "1" in North America), the international access prefix ("00"; "011" in North
    America), the local area code for numbers dialled without one ("" if local
    dialling is not used), and the emergency numbers.
    """

    country_code: str
    national_prefix: str
    international_prefix: str
    area_code: str = ""
    emergency_numbers: tuple[str, ...] = ("112",)

    def check(self, number: str) -> str:
        """`number` if it is digits (optionally after "+"); NumberError otherwise."""
        if not _DIGITS.match(number):
            raise NumberError(f"{number!r} is not a number one can dial")
        return number

    def classify(self, number: str) -> Permission:
        """The permission class an extension needs to dial `number` (as the trunk gets it).

        International means any country but our own, however it was written.
        """
        self.check(number)
        if number in self.emergency_numbers:
            return Permission.EMERGENCY
        e164 = self.to_e164(number)
        if e164 is not None and not e164.startswith("+" + self.country_code):
            return Permission.INTERNATIONAL
        if number.startswith(("+", self.international_prefix)) or (
            self.national_prefix and number.startswith(self.national_prefix)
        ):
            return Permission.NATIONAL
        return Permission.LOCAL

    def to_e164(self, number: str) -> str | None:
        """`number` as "+<country code><number>"; None for numbers that have no such
        form (emergency and service numbers, local numbers without an area code)."""
        self.check(number)
        if number in self.emergency_numbers:
            return None
        if number.startswith("+"):
            return number
        if number.startswith(self.international_prefix):
            return "+" + number[len(self.international_prefix) :]
        if self.national_prefix and number.startswith(self.national_prefix):
            return f"+{self.country_code}{number[len(self.national_prefix) :]}"
        if self.area_code:
            return f"+{self.country_code}{self.area_code}{number}"
        return None

    def formatted(self, number: str, number_format: str) -> str:
        """`number` as a trunk wants it: "e164" (+44...), "e164-digits" (44...) or
        "national" (0... at home, 00... abroad). Numbers with no E.164 form go as dialled."""
        e164 = self.to_e164(number)
        if e164 is None:
            return number
        if number_format == "e164":
            return e164
        if number_format == "e164-digits":
            return e164[1:]
        home = "+" + self.country_code
        if e164.startswith(home):
            return self.national_prefix + e164[len(home) :]
        return self.international_prefix + e164[1:]
