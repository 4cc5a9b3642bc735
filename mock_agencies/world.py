"""The seeded synthetic world: debtors and what they hold at each agency.

Nothing is stored per debtor. ``World.debtor(index)`` derives a debtor from ``(seed, index)``;
``World.holdings(id_number, agency)`` derives the ORIGINAL holdings (no freezes, available == balance) from
``(seed, id_number, agency)`` for any valid ID number or credit code, in the world or not. Only pins (exact
overrides set by a test or scenario) are stored; the debtors and holdings derived lately are remembered in
bounded caches (rebuilt, never saved). What happens to money afterwards (freezes, queues, deductions) is the
ledger's overlay, not the world's.

Identities are unique within a world: a person's birth date and sequence number, and a company's
organisation code, come from a seeded bijection of the index (the region is drawn freely), so two indexes
never share a number. Birth dates count back from ``WorldConfig.reference_date`` (a fixed date, never the
wall clock; Faker's own ``ssn()`` is not used because it counts from today). Region codes are Faker
``zh_CN``'s GB/T 2260 list (county level, mainland only). Names, streets, phones and company names are drawn
from Faker ``zh_CN``'s data tables with the debtor's own seeded ``random.Random``: seeding one shared Faker
instance per debtor and calling ``name()``/``street_name()``/``phone_number()`` measured 80-140 µs per debtor
(Faker's formatter dominates); a whole debtor this way measured about 50 µs (both on a busy 2-core machine).
Their exact text depends on the Faker version's tables; identity numbers and holdings do not.

Account numbers are ``<kind tag 2><agency tag 6><id_number 18><nn 2>`` (28 characters; the agency tag is a
stable hash of the agency code, so numbers are unique across agencies), so ``account_owner`` reads the owner
from the number and checks that the account exists. The format is synthetic.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

from faker.providers.address.zh_CN import Provider as _ZhAddress
from faker.providers.company.zh_CN import Provider as _ZhCompany
from faker.providers.person.zh_CN import Provider as _ZhPerson
from faker.providers.phone_number.zh_CN import Provider as _ZhPhone
from faker.providers.ssn.zh_CN import Provider as _ZhSsnProvider
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core_flow.errors import UserError
from core_flow.protocol import (
    AGENCY_GROUP,
    MAX_CENTS,
    MEASURE,
    SUBJECT_KIND,
    AgencyGroup,
    AssetKind,
    Holding,
    Subject,
    SubjectKind,
)
from mock_agencies.catalogue import Agency, Catalogue, load_catalogue
from mock_agencies.identity import (
    make_id_number,
    make_uscc,
    province_codes,
    region_name,
    subject_kind_of,
)
from mock_agencies.trusted import trusted

# --- configuration -------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BalanceDist(_Frozen):
    """Lognormal amounts in cents: ``median_cents * exp(sigma * N(0,1))``, a share of exact zeros, capped."""

    median_cents: int = Field(ge=1)
    sigma: float = Field(ge=0, le=5)
    zero_share: float = Field(default=0.0, ge=0, le=1)
    # 100亿元 by default; at most MAX_CENTS, the protocol's largest amount: the holdings drawn are built without
    # validation (mock_agencies.trusted), so the bound is checked here, where the config comes in (review R29)
    max_cents: int = Field(default=10**12, ge=1, le=MAX_CENTS)

    def draw(self, rng: random.Random | _Draws) -> int:
        if rng.random() < self.zero_share:
            return 0
        value = self.median_cents * math.exp(self.sigma * rng.gauss(0.0, 1.0))
        return max(1, min(self.max_cents, round(value)))


class AssetRule(_Frozen):
    """What a debtor holds at one agency of a group."""

    kind: AssetKind
    description: str
    person_probability: float = Field(ge=0, le=1, description="P(any holding at one agency), person")
    company_probability: float = Field(ge=0, le=1, description="P(any holding at one agency), company")
    extra_probability: float = Field(default=0.2, ge=0, lt=1, description="P(one more holding), repeated")
    max_holdings: int = Field(default=3, ge=1, le=99)
    person_amount: BalanceDist
    company_amount: BalanceDist
    wealth_product_share: float = Field(default=0.0, ge=0, le=1, description="share of extra holdings")
    online_controllable: bool = True


# Illustrative defaults (synthetic, not statistics): debtors in enforcement often hold little.
# group, asset kind, description, P(holding at one agency) person / company, median amount in cents
# person / company, lognormal sigma, share of zero amounts, other AssetRule fields.
_RULE_TABLE: tuple[tuple[Any, ...], ...] = (
    (AgencyGroup.NATIONAL_BANK, AssetKind.DEPOSIT, "活期存款 / demand deposit",
     0.12, 0.10, 150_000, 5_000_000, 2.0, 0.35, {"wealth_product_share": 0.15}),
    (AgencyGroup.LOCAL_BANK, AssetKind.DEPOSIT, "活期存款 / demand deposit",
     0.25, 0.30, 100_000, 3_000_000, 2.0, 0.35, {"wealth_product_share": 0.10}),
    (AgencyGroup.INTERNET_FINANCE, AssetKind.BALANCE, "支付账户余额 / payment-account balance",
     0.45, 0.08, 20_000, 200_000, 1.8, 0.30, {"max_holdings": 1}),
    (AgencyGroup.SECURITIES, AssetKind.SECURITIES, "证券账户 / securities account",
     0.08, 0.05, 2_000_000, 20_000_000, 1.5, 0.20, {"max_holdings": 2}),
    (AgencyGroup.REAL_ESTATE, AssetKind.REAL_ESTATE, "不动产（估值）/ real estate (estimated value)",
     0.30, 0.20, 80_000_000, 300_000_000, 0.8, 0.0, {"extra_probability": 0.15}),
    (AgencyGroup.VEHICLE, AssetKind.VEHICLE, "机动车（估值）/ motor vehicle (estimated value)",
     0.25, 0.30, 8_000_000, 15_000_000, 0.7, 0.0, {"extra_probability": 0.1}),
    (AgencyGroup.EQUITY, AssetKind.EQUITY, "股权（认缴出资）/ equity (subscribed capital)",
     0.05, 0.30, 20_000_000, 100_000_000, 1.5, 0.0, {}),
    (AgencyGroup.OTHER, AssetKind.OTHER, "其他财产 / other property",
     0.15, 0.05, 3_000_000, 3_000_000, 1.2, 0.0, {"max_holdings": 1, "online_controllable": False}),
)  # fmt: skip


def _default_rules() -> dict[AgencyGroup, AssetRule]:
    return {
        group: AssetRule(
            kind=kind,
            description=description,
            person_probability=p_person,
            company_probability=p_company,
            person_amount=BalanceDist(median_cents=m_person, sigma=sigma, zero_share=zero),
            company_amount=BalanceDist(median_cents=m_company, sigma=sigma, zero_share=zero),
            **extra,
        )
        for group, kind, description, p_person, p_company, m_person, m_company, sigma, zero, extra in _RULE_TABLE
    }


def _default_weights() -> dict[str, float]:
    # Per-agency multipliers of the group probability (synthetic): big banks are more common, the
    # exit-entry administration holds no assets.
    return {
        "icbc": 2.5, "ccb": 2.5, "abc": 2.5, "boc": 2.0, "psbc": 2.0, "bocom": 1.5, "cmb": 1.5,
        "cexim": 0.05, "adbc": 0.05,
        "alipay": 1.4, "tenpay": 1.4, "chinabank_payments": 0.3,
        "housing_fund": 2.0, "insurance": 1.5, "ship_registry": 0.05, "fishing_vessel_registry": 0.05,
        "exit_entry": 0.0,
    }  # fmt: skip


# debtors remembered (a Debtor is immutable and derived from (seed, index) alone). A court takes persons and companies
# from two cursors over the indices, one behind the other by thousands: at 4,096 the court-year derived 10,010
# debtors for 8,294 indices (the cache cleared under the one behind); at 16,384 each once
_DEBTOR_CACHE = 16_384
_DERIVED_CACHE = 50_000  # holdings lookups remembered (the request hot path asks the same ones again)
_ROWS_CACHE = 4096  # per-agency tables of a fan-out's agencies, by (tuple, kind)
# (agency, code, code as bytes, its region, threshold of ``h >> 75`` for a debtor at home there, for one away)
_Row = tuple[Agency, str, bytes, str | None, float, float]


class WorldConfig(_Frozen):
    """Distributions of the synthetic world (seed-independent defaults; all synthetic)."""

    person_share: float = Field(default=0.85, ge=0, le=1, description="share of persons among debtors")
    reference_date: date = Field(default=date(2025, 1, 1), description="ages count back from this date")
    min_age: int = Field(default=18, ge=0, le=120)
    max_age: int = Field(default=80, ge=1, le=120)
    rules: dict[AgencyGroup, AssetRule] = Field(default_factory=_default_rules)
    agency_weight: dict[str, float] = Field(default_factory=_default_weights)
    local_bank_away_factor: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="probability factor for a local bank outside the debtor's region",
    )

    @field_validator("rules", mode="before")
    @classmethod
    def _merge_rules(cls, v: Any) -> Any:
        """Rules given for some groups replace those groups' defaults only."""
        return {**_default_rules(), **v} if isinstance(v, dict) else v

    @field_validator("agency_weight", mode="before")
    @classmethod
    def _merge_weights(cls, v: Any) -> Any:
        return {**_default_weights(), **v} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _ages(self) -> WorldConfig:
        if self.max_age <= self.min_age:
            raise ValueError("max_age 须大于 min_age / max_age must exceed min_age")
        return self


# --- debtors -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Debtor:
    index: int
    kind: SubjectKind
    name: str
    id_number: str
    region: str  # 6-digit GB/T 2260 registration region
    address: str
    phone: str

    def subject(self) -> Subject:
        return Subject(kind=self.kind, name=self.name, id_number=self.id_number)


_KIND_TAG: dict[AssetKind, str] = {
    AssetKind.DEPOSIT: "62",
    AssetKind.WEALTH_PRODUCT: "LC",
    AssetKind.BALANCE: "ZF",
    AssetKind.SECURITIES: "ZQ",
    AssetKind.REAL_ESTATE: "BD",
    AssetKind.VEHICLE: "CL",
    AssetKind.EQUITY: "GQ",
    AssetKind.OTHER: "QT",
}
_TAGS = frozenset(_KIND_TAG.values())
_COMPANY_SPACE = 10**8  # organisation-code bodies: 8 digits


@lru_cache(maxsize=4096)
def agency_tag(agency_code: str) -> str:
    """6 digits standing for an agency in its account numbers (a stable hash of the code)."""
    return f"{_hash_int('agency', agency_code) % 10**6:06d}"


def account_number(agency_code: str, kind: AssetKind, owner: str, seq: int) -> str:
    """The synthetic account number of an owner's ``seq``-th holding at an agency:
    ``<kind tag 2><agency tag 6><owner 18><seq 2>`` (28 characters, unique across agencies)."""
    return f"{_KIND_TAG[kind]}{agency_tag(agency_code)}{owner}{seq:02d}"


def _owner_in(agency_code: str, account_no: str) -> str | None:
    """The owner encoded in a generated account number of ``agency_code``, or None."""
    if (
        len(account_no) == 28
        and account_no[:2] in _TAGS
        and account_no[2:8] == agency_tag(agency_code)
        and account_no[26:].isdigit()
    ):
        return account_no[8:26]
    return None


def _hash_int(*parts: object) -> int:
    key = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=16, person=b"zhixing-world").digest(), "big")


_MASK64 = 2**64 - 1

_holding = trusted(Holding)  # a derived holding: the world's own drawn values (a pin is validated by its maker)


class _Draws:
    """A light seeded generator (SplitMix64) for a holder's holdings: ``random()`` and ``gauss()`` as
    ``random.Random`` offers them, without the cost of seeding a Mersenne Twister for every holder."""

    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK64

    def random(self) -> float:
        self.state = z = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0)

    def gauss(self, mu: float, sigma: float) -> float:
        u = 1.0 - self.random()  # (0, 1]: a log of it is finite
        return mu + sigma * math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * self.random())


def _hash_prefix(*parts: object) -> Any:
    """The hash state after ``parts`` and a separator: ``_hash_int(*parts, x)`` is ``_hash_with(state, x)``."""
    return hashlib.blake2b(("|".join(str(p) for p in parts) + "|").encode(), digest_size=16, person=b"zhixing-world")


def _hash_with(prefix: Any, last: str) -> int:
    h = prefix.copy()
    h.update(last.encode())
    return int.from_bytes(h.digest(), "big")


class _Bijection:
    """index → slot in [0, n): ``(a*i + b) mod n`` with gcd(a, n) = 1, parameters from the seed."""

    def __init__(self, n: int, seed: int, label: str) -> None:
        self.n = n
        h = _hash_int(seed, "bijection", label)
        a = h % (n - 1) + 1
        while math.gcd(a, n) != 1:
            a += 1
        self.a = a % n or 1
        self.b = (h >> 64) % n

    def __call__(self, i: int) -> int:
        return (self.a * i + self.b) % self.n


class _FakerTables:
    """Faker ``zh_CN``'s data (regions, surnames with their weights, given names, phone prefixes, street
    suffixes, company words), drawn with the debtor's own ``random.Random``: the same data as Faker's
    ``name()``/``phone_number()``/``company()``, cheaper than seeding Faker per debtor and thread-safe."""

    def __init__(self) -> None:
        mainland = set(province_codes())
        self.regions = tuple(c for c in _ZhSsnProvider.area_codes if c[:2] in mainland and not c.endswith("00"))
        self.surnames = tuple(_ZhPerson.last_names)
        self.surname_cum = tuple(accumulate(_ZhPerson.last_names.values()))
        self.male = tuple(_ZhPerson.first_names_male)
        self.female = tuple(_ZhPerson.first_names_female)
        self.male_1 = tuple(n for n in self.male if len(n) == 1)
        self.female_1 = tuple(n for n in self.female if len(n) == 1)
        self.phone_prefixes = tuple(str(p) for p in _ZhPhone.phonenumber_prefixes)
        self.street_suffixes = tuple(_ZhAddress.street_suffixes)
        self.company_words = tuple(_ZhCompany.company_prefixes)
        self.company_kinds = tuple(_ZhCompany.company_suffixes)

    def surname(self, rng: random.Random) -> str:
        return self.surnames[bisect_right(self.surname_cum, rng.random() * self.surname_cum[-1])]

    def person_name(self, rng: random.Random, male: bool) -> str:
        pool, singles = (self.male, self.male_1) if male else (self.female, self.female_1)
        given = rng.choice(pool)
        if len(given) == 1 and rng.random() < 0.5:  # Faker's pool is mostly one character; mix in two
            given += rng.choice(singles)
        return self.surname(rng) + given

    def company_name(self, rng: random.Random, region: str) -> str:
        place = _short_place(region)
        return f"{place}{rng.choice(self.company_words)}{rng.choice(self.company_kinds)}"

    def street(self, rng: random.Random) -> str:
        return f"{self.surname(rng)}{rng.choice(self.street_suffixes)}{rng.randint(1, 999)}号"

    def phone(self, rng: random.Random) -> str:
        return f"{rng.choice(self.phone_prefixes)}{rng.randrange(10**8):08d}"


def _short_place(region: str) -> str:
    """'焦作' for 4108xx, '河南' for other 41xxxx: the place word at the head of a company name."""
    name = region_name(region[:4])
    province = region_name(region[:2])
    place = name[len(province) :] or province
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if place.endswith(suffix):
            return place[: -len(suffix)]
    return place


@lru_cache(maxsize=65536)
def _kind_of(id_number: str) -> SubjectKind:
    """``subject_kind_of`` with a bounded cache: a query asks ~30 agencies about the same number."""
    return subject_kind_of(id_number)


@lru_cache(maxsize=1)
def _tables() -> _FakerTables:
    return _FakerTables()


class World:
    """A seeded world of ``size`` debtors; holdings for any valid identity; pins as the only state."""

    def __init__(
        self,
        seed: int,
        size: int = 1_000_000,
        config: WorldConfig | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        if size < 0:
            raise UserError(f"世界规模不能为负：{size}", f"world size must not be negative: {size}", where="size")
        self.seed = seed
        self.size = size
        self.config = config or WorldConfig()
        self.catalogue = catalogue or load_catalogue()
        days = (self.config.max_age - self.config.min_age) * 365
        self._person_slots = _Bijection(days * 1000, seed, "person")
        self._company_slots = _Bijection(_COMPANY_SPACE, seed, "company")
        if size > min(self._person_slots.n, _COMPANY_SPACE):
            raise UserError(
                f"世界规模 {size} 超出可生成的唯一号码数",
                f"world size {size} exceeds the unique numbers available",
                where="size",
            )
        tags = {agency_tag(a.code) for a in self.catalogue}
        if len(tags) != len(self.catalogue):
            raise UserError(
                "协助单位账号标记冲突（请改动一个代码）",
                "two agency codes hash to the same account tag",
                where=self.catalogue.source,
            )
        self._tables = _tables()
        self._pins: dict[tuple[str, str], tuple[Holding, ...]] = {}
        self._derived: dict[tuple[str, str], tuple[Holding, ...]] = {}  # bounded cache of generated holdings
        self._pinned_accounts: dict[tuple[str, str], str] = {}  # (agency, account_no) → owner
        # a query asks ~30 agencies about one number in a row: its hash prefix and probabilities are reused
        self._prefix_of: tuple[str, Any] | None = None
        self._probabilities: dict[tuple[str, SubjectKind, bool], float] = {}  # (agency, kind, away)
        self._pinned_ids: dict[str, dict[str, tuple[Holding, ...]]] = {}  # ``_pins`` by id number (derived)
        self._rows: dict[tuple[int, SubjectKind], tuple[tuple[Agency, ...], list[_Row]]] = {}  # see _rows_of
        # debtors derived lately (a court looks each index up about twice: once for a person, once for a company)
        self._debtors: dict[int, Debtor] = {}

    def __len__(self) -> int:
        return self.size

    def __getstate__(self) -> dict[str, Any]:
        """What a saved namespace keeps: the pins (the world's only state) and its parameters; the caches and
        the name tables are rebuilt (the catalogue is the service's, given back by the restoring session)."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_tables", "_derived", "_prefix_of", "_probabilities", "_debtors",
                              "catalogue", "_pinned_ids", "_rows")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.catalogue = None  # type: ignore[assignment]  # set by the restoring session
        self._tables = _tables()
        self._derived = {}
        self._prefix_of = None
        self._probabilities = {}
        self._debtors = {}
        self._pinned_ids = {}
        for (id_number, code), items in self._pins.items():
            self._pinned_ids.setdefault(id_number, {})[code] = items
        self._rows = {}

    # --- debtors ---------------------------------------------------------------------------------------

    def debtor(self, index: int) -> Debtor:
        """The debtor at ``index`` (0 ≤ index < size), the same for the same (seed, index)."""
        found = self._debtors.get(index) if type(index) is int else None
        if found is not None:
            return found
        if not isinstance(index, int) or not 0 <= index < self.size:
            raise UserError(
                f"被执行人序号须在 0 至 {self.size - 1} 之间：{index!r}",
                f"debtor index must be in 0..{self.size - 1}: {index!r}",
                where="index",
            )
        rng = random.Random(_hash_int(self.seed, "debtor", index))
        tables = self._tables
        region = rng.choice(tables.regions)
        if rng.random() < self.config.person_share:
            slot = self._person_slots(index)
            born = self.config.reference_date - timedelta(days=self.config.min_age * 365 + slot // 1000)
            sequence = slot % 1000  # odd = male
            id_number = make_id_number(region, born, sequence)
            kind = SUBJECT_KIND.PERSON
            name = tables.person_name(rng, male=sequence % 2 == 1)
        else:
            id_number = make_uscc(region, f"{self._company_slots(index):08d}")
            kind = SUBJECT_KIND.COMPANY
            name = tables.company_name(rng, region)
        address = f"{region_name(region)}{tables.street(rng)}"
        found = Debtor(index, kind, name, id_number, region, address, tables.phone(rng))
        if type(index) is int:  # (not a bool: True is 1 as a key, but another Debtor.index)
            if len(self._debtors) >= _DEBTOR_CACHE:
                self._debtors.clear()  # bounded: a cache, not storage
            self._debtors[index] = found
        return found

    def debtors(self, start: int = 0, stop: int | None = None) -> Iterator[Debtor]:
        for i in range(start, self.size if stop is None else min(stop, self.size)):
            yield self.debtor(i)

    # --- holdings --------------------------------------------------------------------------------------

    def holdings(self, id_number: str, agency_code: str) -> tuple[Holding, ...]:
        """What ``id_number`` holds at ``agency_code`` originally (pins win): deterministic from
        (seed, id_number, agency). Agencies that answer no queries (auction, pricing, court account) hold
        nothing."""
        key = (id_number, agency_code)
        if key not in self._pins:
            found = self._derived.get(key)
            if found is not None:  # only cached once the agency and the number were found valid
                return found
        agency = self.catalogue.get(agency_code)
        kind = _kind_of(id_number)
        pinned = self._pins.get(key)
        if pinned is not None:
            return pinned
        found = self._derived.get(key)
        if found is None:
            found = self._generate(id_number, kind, agency)
            if len(self._derived) >= _DERIVED_CACHE:
                self._derived.clear()  # bounded: a cache, not storage (nothing per debtor is kept for good)
            self._derived[key] = found
        return found

    def holdings_many(self, id_number: str, agencies: Iterable[Agency]) -> dict[str, tuple[Holding, ...]]:
        """``holdings(id_number, a.code)`` for many agencies at once (a 总对总 fan-out), keeping only the
        agencies where something is held: the same values, without a call per agency that holds nothing. A tuple
        of agencies (the hub's groups: the same tuple at every query of a scope) has its per-agency table built
        once per kind (:meth:`_rows_of`)."""
        kind = _kind_of(id_number)
        own_region = id_number[:6] if kind == SUBJECT_KIND.PERSON else id_number[2:8]
        pinned = self._pinned_ids.get(id_number) if self._pinned_ids else None
        derived = self._derived
        out: dict[str, tuple[Holding, ...]] = {}
        prefix: Any = None
        for agency, code, encoded, region, home, away in self._rows_of(agencies, kind):
            if pinned is not None:
                found = pinned.get(code)
                if found is not None:
                    if found:
                        out[code] = found
                    continue
            threshold = home if region is None or own_region.startswith(region) else away
            if threshold <= 0:
                continue  # the agency holds nothing for anyone of this kind (or answers no queries)
            if prefix is None:
                prefix = _hash_prefix(self.seed, "holdings", id_number)
            h = prefix.copy()
            h.update(encoded)
            h = int.from_bytes(h.digest(), "big")  # = _hash_int(self.seed, "holdings", id_number, code)
            if (h >> 75) >= threshold:
                continue  # nothing held (not cached: deciding it again is as cheap as a lookup)
            key = (id_number, code)
            found = derived.get(key)
            if found is None:
                found = self._derive(h, id_number, kind, agency, self.config.rules[agency.group])
                if len(derived) >= _DERIVED_CACHE:
                    derived.clear()
                derived[key] = found
            out[code] = found
        return out

    def _rows_of(self, agencies: Iterable[Agency], kind: SubjectKind) -> list[_Row]:
        """A :data:`_Row` for each of ``agencies``, for a debtor of ``kind``: built once for a tuple (kept by
        identity, the tuple held with it, so its id cannot be reused while the entry lives; bounded), every time
        for any other iterable. The thresholds: for a debtor living in the agency's region and for one living
        elsewhere (they differ for a local bank only)."""
        cacheable = type(agencies) is tuple
        if cacheable:
            key = (id(agencies), kind)
            hit = self._rows.get(key)
            if hit is not None and hit[0] is agencies:
                return hit[1]
        rows: list[_Row] = []
        for agency in agencies:
            region = agency.region
            home = self._threshold_of(agency, kind, away=False)
            away = home if region is None else self._threshold_of(agency, kind, away=True)
            rows.append((agency, agency.code, agency.code.encode(), region, home, away))
        if cacheable:
            if len(self._rows) >= _ROWS_CACHE:
                self._rows.clear()  # bounded: a cache
            self._rows[key] = (agencies, rows)  # type: ignore[arg-type]
        return rows

    def _threshold_of(self, agency: Agency, kind: SubjectKind, *, away: bool) -> float:
        """The first draw ``h >> 75`` below which a debtor of ``kind`` living outside (``away``) or inside the
        agency's region holds something there (0: never)."""
        rule = self.config.rules.get(agency.group)
        if rule is None or MEASURE.QUERY not in agency.operations:
            return 0.0
        return self._probability_of(agency, rule, kind,
                                    away and agency.group == AGENCY_GROUP.LOCAL_BANK and agency.region is not None
                                    ) * 2**53

    def _probability(self, agency: Agency, rule: AssetRule, kind: SubjectKind, id_number: str) -> float:
        away = False
        if agency.group == AGENCY_GROUP.LOCAL_BANK and agency.region is not None:
            own_region = id_number[:6] if kind == SUBJECT_KIND.PERSON else id_number[2:8]
            away = not own_region.startswith(agency.region)
        return self._probability_of(agency, rule, kind, away)

    def _probability_of(self, agency: Agency, rule: AssetRule, kind: SubjectKind, away: bool) -> float:
        key = (agency.code, kind, away)
        found = self._probabilities.get(key)
        if found is None:
            p = rule.person_probability if kind == SUBJECT_KIND.PERSON else rule.company_probability
            p *= self.config.agency_weight.get(agency.code, 1.0)
            if away:
                p *= self.config.local_bank_away_factor
            found = self._probabilities[key] = min(1.0, p)
        return found

    def _generate(self, id_number: str, kind: SubjectKind, agency: Agency) -> tuple[Holding, ...]:
        rule = self.config.rules.get(agency.group)
        if rule is None or MEASURE.QUERY not in agency.operations:
            return ()
        prefix = self._prefix_of
        if prefix is None or prefix[0] != id_number:
            prefix = self._prefix_of = (id_number, _hash_prefix(self.seed, "holdings", id_number))
        h = _hash_with(prefix[1], agency.code)  # = _hash_int(self.seed, "holdings", id_number, agency.code)
        # the first draw comes from the hash itself: most debtors hold nothing at most agencies, and
        # seeding a Mersenne Twister costs more than the rest of the lookup
        if (h >> 75) / 2**53 >= self._probability(agency, rule, kind, id_number):
            return ()
        return self._derive(h, id_number, kind, agency, rule)

    def _derive(self, h: int, id_number: str, kind: SubjectKind, agency: Agency,
                rule: AssetRule) -> tuple[Holding, ...]:
        """The holdings of a debtor who holds something at ``agency`` (``h``: the pair's hash)."""
        rng = _Draws(h)
        count = 1
        while count < rule.max_holdings and rng.random() < rule.extra_probability:
            count += 1
        amount = rule.person_amount if kind == SUBJECT_KIND.PERSON else rule.company_amount
        out = []
        for seq in range(1, count + 1):
            asset = rule.kind
            description = rule.description
            if seq > 1 and rule.wealth_product_share and rng.random() < rule.wealth_product_share:
                asset, description = AssetKind.WEALTH_PRODUCT, "理财产品 / wealth-management product"
            if agency.group == AGENCY_GROUP.OTHER:
                description = f"{agency.name} / {agency.name_en}"
            cents = amount.draw(rng)
            out.append(
                _holding(
                    account_no=account_number(agency.code, asset, id_number, seq),
                    kind=asset,
                    description=description,
                    balance_cents=cents,
                    available_cents=cents,
                    online_controllable=rule.online_controllable,
                )
            )
        return tuple(out)

    # --- pins ------------------------------------------------------------------------------------------

    def pin(self, id_number: str, agency_code: str, holdings: Iterable[Holding]) -> None:
        """Fix exactly what ``id_number`` holds at ``agency_code`` (replacing the derived holdings; an empty
        iterable means nothing). Pinned holdings are original: available == balance, no freezes; account
        numbers unique at the agency."""
        agency = self.catalogue.get(agency_code)
        subject_kind_of(id_number)
        if MEASURE.QUERY not in agency.operations:
            raise UserError(
                f"协助单位 {agency_code} 不受理查询，不能设定财产",
                f"agency {agency_code} answers no queries; it holds no assets",
                where="agency",
            )
        items = tuple(holdings)
        seen: set[str] = set()
        for i, h in enumerate(items):
            where = f"holdings[{i}]"
            if not isinstance(h, Holding):
                raise UserError("须为 Holding 对象", "must be a Holding", where=where)
            if h.available_cents != h.balance_cents or h.existing_freezes:
                raise UserError(
                    "世界中的财产是原始状态：可控金额须等于余额且无冻结（冻结属于台账）",
                    "world holdings are original: available must equal balance, no freezes (those are the ledger's)",
                    where=f"{where}.available_cents",
                )
            if h.account_no in seen:
                raise UserError(
                    f"账号重复：{h.account_no}",
                    f"duplicate account number: {h.account_no}",
                    where=f"{where}.account_no",
                )
            seen.add(h.account_no)
            encoded = _owner_in(agency_code, h.account_no)
            claimed = self._pinned_accounts.get((agency_code, h.account_no))
            if (encoded is not None and encoded != id_number) or (claimed is not None and claimed != id_number):
                raise UserError(
                    f"账号 {h.account_no} 属于另一被执行人",
                    f"account {h.account_no} belongs to another debtor",
                    where=f"{where}.account_no",
                )
        self.unpin(id_number, agency_code)
        self._pins[(id_number, agency_code)] = items
        self._pinned_ids.setdefault(id_number, {})[agency_code] = items
        for h in items:
            self._pinned_accounts[(agency_code, h.account_no)] = id_number

    def unpin(self, id_number: str, agency_code: str) -> bool:
        """Remove a pin (back to the derived holdings); False if there was none."""
        old = self._pins.pop((id_number, agency_code), None)
        if old is None:
            return False
        by_code = self._pinned_ids[id_number]
        del by_code[agency_code]
        if not by_code:
            del self._pinned_ids[id_number]
        for h in old:
            self._pinned_accounts.pop((agency_code, h.account_no), None)
        return True

    def pins(self) -> dict[tuple[str, str], tuple[Holding, ...]]:
        """A copy of the pins: (id_number, agency_code) → holdings."""
        return dict(self._pins)

    # --- accounts --------------------------------------------------------------------------------------

    def account_owner(self, agency_code: str, account_no: str) -> str | None:
        """The id number owning ``account_no`` at ``agency_code`` (original or pinned), or None."""
        self.catalogue.get(agency_code)
        owner = self._pinned_accounts.get((agency_code, account_no))
        if owner is not None:
            return owner
        owner = _owner_in(agency_code, account_no)
        if owner is None:
            return None
        try:
            held = self.holdings(owner, agency_code)
        except UserError:
            return None
        return owner if any(h.account_no == account_no for h in held) else None

    def find_holding(self, agency_code: str, account_no: str) -> tuple[str, Holding] | None:
        """(owner, original holding) of an account, or None."""
        owner = self.account_owner(agency_code, account_no)
        if owner is None:
            return None
        for h in self.holdings(owner, agency_code):
            if h.account_no == account_no:
                return owner, h
        return None
