"""The domain's numbers (DOMAIN.md), read by ``settings.py``: the donor pre-screen, camps,
the thalassaemia children's plans and matching, the dashboard, and the reminder rules.

Every number is an environment variable with the India default beside it (.env.example
lists them all); a bad value stops the start, as in ``settings.py``."""

from django.core.exceptions import ImproperlyConfigured

from .env import env_decimal, env_int, env_list, env_optional_decimal, env_rate, env_str

# --- Donors: the pre-screen (DOMAIN.md §1, India defaults from NBTC-17 / DCR-2020) -----
# The portal pre-screens; the blood centre's medical officer decides.
# A family may share one mobile: at most this many donors on one number (issue 15).
DONORS_PER_PHONE_MAX = env_int("DONORS_PER_PHONE_MAX", 4, minimum=1)
# RULES_PROFILE picks the defaults of the eligibility numbers and the phone region: "india"
# (NBTC-17 / DCR-2020) or "vietnam" (Circular 26/2013/TT-BYT, "VN-26" in DOMAIN.md §1). Each
# number below is still its own setting; an environment value wins over the profile. Where
# VN-26 gives no number (first-time age, 450 ml weight, haemoglobin, blood pressure, the
# apheresis limits, deferral lengths), the vietnam profile keeps India's.
RULES_PROFILES = {
    "india": {
        "min_age": 18,
        "max_age": 65,
        "min_weight_kg": "45",  # at least, for a 350 ml bag
        "min_weight_kg_female": None,  # None: DONOR_MIN_WEIGHT_KG, for every sex
        "interval_male": 90,
        "interval_female": 120,
        # Follows from the interval: 365 // 90 = 4, 365 // 120 = 3.
        "max_12m_male": 4,
        "max_12m_female": 3,
        "bag_volumes_ml": ["350", "450"],
        "phone_region": "IN",
    },
    "vietnam": {
        "min_age": 18,
        "max_age": 60,
        "min_weight_kg": "45",  # men
        "min_weight_kg_female": "42",
        "interval_male": 84,
        "interval_female": 84,
        # VN-26 as DOMAIN.md gives it has no yearly cap: as India's, it follows from the
        # interval, 365 // 84 = 4.
        "max_12m_male": 4,
        "max_12m_female": 4,
        "bag_volumes_ml": ["250", "350", "450"],
        "phone_region": "VN",
    },
}
RULES_PROFILE = (env_str("RULES_PROFILE", "india") or "india").strip().lower()
if RULES_PROFILE not in RULES_PROFILES:
    raise ImproperlyConfigured(
        f"RULES_PROFILE={RULES_PROFILE!r} is not one of {', '.join(sorted(RULES_PROFILES))}."
    )
_PROFILE = RULES_PROFILES[RULES_PROFILE]

DONOR_MIN_AGE = env_int("DONOR_MIN_AGE", _PROFILE["min_age"], minimum=16)
DONOR_MAX_AGE = env_int("DONOR_MAX_AGE", _PROFILE["max_age"], minimum=18)
DONOR_FIRST_TIME_MAX_AGE = env_int("DONOR_FIRST_TIME_MAX_AGE", 60, minimum=18)
DONOR_MIN_WEIGHT_KG = env_decimal("DONOR_MIN_WEIGHT_KG", _PROFILE["min_weight_kg"])
# The minimum weight by sex; unset (India): DONOR_MIN_WEIGHT_KG for every sex. A donor
# recorded as O (other) takes the higher of the two unless DONOR_MIN_WEIGHT_KG_OTHER is set.
DONOR_MIN_WEIGHT_KG_MALE = env_optional_decimal("DONOR_MIN_WEIGHT_KG_MALE", None)
DONOR_MIN_WEIGHT_KG_FEMALE = env_optional_decimal(
    "DONOR_MIN_WEIGHT_KG_FEMALE", _PROFILE["min_weight_kg_female"]
)
DONOR_MIN_WEIGHT_KG_OTHER = env_optional_decimal("DONOR_MIN_WEIGHT_KG_OTHER", None)
DONOR_450ML_OVER_WEIGHT_KG = env_decimal("DONOR_450ML_OVER_WEIGHT_KG", "55")  # more than
# The bag volumes (ml) a collection may record: India 350/450, Vietnam 250/350/450.
DONOR_BAG_VOLUMES_ML = [
    int(v) for v in env_list("DONOR_BAG_VOLUMES_ML", _PROFILE["bag_volumes_ml"]) if v.isdigit()
]
if not DONOR_BAG_VOLUMES_ML or set(DONOR_BAG_VOLUMES_ML) - {250, 350, 450}:
    raise ImproperlyConfigured("DONOR_BAG_VOLUMES_ML must list some of 250, 350, 450.")
DONOR_MIN_HAEMOGLOBIN = env_decimal("DONOR_MIN_HAEMOGLOBIN", "12.5")  # g/dL, men and women
# Blood pressure at the screening, mmHg, both ends accepted (systolic / diastolic).
DONOR_BP_SYSTOLIC_MIN = env_int("DONOR_BP_SYSTOLIC_MIN", 100, minimum=1)
DONOR_BP_SYSTOLIC_MAX = env_int("DONOR_BP_SYSTOLIC_MAX", 140, minimum=1)
DONOR_BP_DIASTOLIC_MIN = env_int("DONOR_BP_DIASTOLIC_MIN", 60, minimum=1)
DONOR_BP_DIASTOLIC_MAX = env_int("DONOR_BP_DIASTOLIC_MAX", 90, minimum=1)
for _low, _high in (
    ("DONOR_BP_SYSTOLIC_MIN", "DONOR_BP_SYSTOLIC_MAX"),
    ("DONOR_BP_DIASTOLIC_MIN", "DONOR_BP_DIASTOLIC_MAX"),
):
    if globals()[_low] > globals()[_high]:
        raise ImproperlyConfigured(f"{_low} must not be above {_high}.")
# Days since the last whole-blood donation, by sex; a donor recorded as O (other) takes the
# longer interval unless DONOR_INTERVAL_DAYS_OTHER says otherwise.
DONOR_INTERVAL_DAYS_MALE = env_int("DONOR_INTERVAL_DAYS_MALE", _PROFILE["interval_male"], minimum=1)
DONOR_INTERVAL_DAYS_FEMALE = env_int(
    "DONOR_INTERVAL_DAYS_FEMALE", _PROFILE["interval_female"], minimum=1
)
DONOR_INTERVAL_DAYS_OTHER = env_int(
    "DONOR_INTERVAL_DAYS_OTHER",
    max(DONOR_INTERVAL_DAYS_MALE, DONOR_INTERVAL_DAYS_FEMALE),
    minimum=1,
)
# Whole-blood donations in any 12 months: follows from the interval (4 men, 3 women).
DONOR_MAX_DONATIONS_12M_MALE = env_int(
    "DONOR_MAX_DONATIONS_12M_MALE", _PROFILE["max_12m_male"], minimum=1
)
DONOR_MAX_DONATIONS_12M_FEMALE = env_int(
    "DONOR_MAX_DONATIONS_12M_FEMALE", _PROFILE["max_12m_female"], minimum=1
)
DONOR_MAX_DONATIONS_12M_OTHER = env_int(
    "DONOR_MAX_DONATIONS_12M_OTHER",
    min(DONOR_MAX_DONATIONS_12M_MALE, DONOR_MAX_DONATIONS_12M_FEMALE),
    minimum=1,
)
# Apheresis: 48 h apart, at most 2 in any 7 days and 24 in any 12 months; 28 days when
# switching to or from whole blood.
DONOR_APHERESIS_MIN_HOURS = env_int("DONOR_APHERESIS_MIN_HOURS", 48, minimum=1)
DONOR_APHERESIS_MAX_PER_WEEK = env_int("DONOR_APHERESIS_MAX_PER_WEEK", 2, minimum=1)
DONOR_APHERESIS_MAX_PER_YEAR = env_int("DONOR_APHERESIS_MAX_PER_YEAR", 24, minimum=1)
DONOR_APHERESIS_SWITCH_DAYS = env_int("DONOR_APHERESIS_SWITCH_DAYS", 28, minimum=1)
# Default length of each deferral category, in days (None: staff enter the date;
# "permanent" has no end). DOMAIN.md §1, temporary deferrals. VN-26 as DOMAIN.md gives it
# sets no deferral lengths, so both profiles use these (India's).
DONOR_DEFERRAL_DAYS = {
    "tattoo": 365,
    "transfusion": 365,
    "major_surgery": 365,
    "minor_surgery": 180,
    "delivery": 365,
    "abortion": 180,
    "breastfeeding": None,
    "malaria": 90,
    "typhoid": 365,
    "dengue": 180,
    "tuberculosis": 730,
    "hepatitis_contact": 365,
    "vaccine_inactivated": 14,
    "vaccine_live": 28,
    "rabies_vaccine": 365,
    "antibiotics": 14,
    "minor_illness": 7,
    "screening": 90,
    "other": None,
    "permanent": None,
}
# Mobile numbers: parsed with this default region (the profile's: IN, +91; VN, +84),
# accepted from these regions only (both by default: a force may hold either).
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", _PROFILE["phone_region"])
PHONE_ALLOWED_REGIONS = env_list(
    "PHONE_ALLOWED_REGIONS",
    [_PROFILE["phone_region"], *(r for r in ("IN", "VN") if r != _PROFILE["phone_region"])],
)
# Donor imports (CSV/XLSX): refuse bigger files before reading them.
DONOR_IMPORT_MAX_BYTES = env_int("DONOR_IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# What an uploaded .xlsx may unpack to (every import): a real sheet of 20,000 donors is a
# few MB of XML; a "zip bomb" of inline strings is stopped here, by what it inflates to.
IMPORT_MAX_UNPACKED_BYTES = env_int(
    "IMPORT_MAX_UNPACKED_BYTES", 20 * 1024 * 1024, minimum=64 * 1024
)
DONOR_IMPORT_MAX_ROWS = env_int("DONOR_IMPORT_MAX_ROWS", 20000, minimum=1)
# Donor exports of more rows than this are written by a Celery worker and fetched from a
# download link (the requester's own) that lasts EXPORT_LINK_HOURS.
DONOR_EXPORT_IN_WORKER_ABOVE = env_int("DONOR_EXPORT_IN_WORKER_ABOVE", 20000, minimum=0)
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24, minimum=1)
# The consent text a pledge agrees to; bump the version whenever the text changes.
# 2026-11-23: reminders became a separate, optional consent.
DONOR_CONSENT_VERSION = env_str("DONOR_CONSENT_VERSION", "2026-11-23")
PLEDGE_RATE_LIMIT = env_rate("PLEDGE_RATE_LIMIT", "10/h")
# A pledged number is verified by a one-time code sent to it by SMS (donors.verification):
# minutes a code lives, wrong answers before a new code must be asked for, and how many
# codes one number, and one client address, may be sent.
DONOR_CODE_MINUTES = env_int("DONOR_CODE_MINUTES", 15, minimum=1)
DONOR_CODE_MAX_ATTEMPTS = env_int("DONOR_CODE_MAX_ATTEMPTS", 5, minimum=1)
DONOR_CODE_RATE_LIMIT = env_rate("DONOR_CODE_RATE_LIMIT", "3/h")
DONOR_CODE_IP_RATE_LIMIT = env_rate("DONOR_CODE_IP_RATE_LIMIT", "10/h")
# The donor's loop (donors.thanks): days the certificate link in the thank-you SMS works,
# and days a thank-you held back (quiet hours, an outage) is still worth sending.
DONOR_CERTIFICATE_LINK_DAYS = env_int("DONOR_CERTIFICATE_LINK_DAYS", 180, minimum=1)
DONOR_THANKS_VALID_DAYS = env_int("DONOR_THANKS_VALID_DAYS", 7, minimum=1)


# --- Camps (DOMAIN.md §5) ----------------------------------------------------------------
# Rows per page of a camp's donor list, and entries shown at the camp table.
CAMP_DONORS_PAGE_SIZE = env_int("CAMP_DONORS_PAGE_SIZE", 100, minimum=10)
CAMP_TABLE_RECENT = env_int("CAMP_TABLE_RECENT", 8, minimum=1)
# The camp's expected donors a camp table keeps on the phone for lookup without signal
# (name, group, may donate on the camp's day): at most this many, newest first.
CAMP_TABLE_OFFLINE_DONORS = env_int("CAMP_TABLE_OFFLINE_DONORS", 3000, minimum=0)
# Pre-registrations through a camp's QR code per client address (count/period). Looser than
# the pledge's: phones on mobile data may share one address behind the carrier's NAT.
CAMP_JOIN_RATE_LIMIT = env_rate("CAMP_JOIN_RATE_LIMIT", "30/h")
# A camp's donor sheet from its blood centre (CSV/XLSX).
CAMP_IMPORT_MAX_ROWS = env_int("CAMP_IMPORT_MAX_ROWS", 2000, minimum=1)

# --- Thalassaemia children (DOMAIN.md §2–3; TIF-21, NHM-16) ----------------------------
# A plan is set by the treating doctor: units per transfusion and an interval in days,
# allowed within these bounds. The two presets are the press description's "small children
# 1 unit every 21 days, older children 2 units every 15 days".
THAL_INTERVAL_MIN_DAYS = env_int("THAL_INTERVAL_MIN_DAYS", 7, minimum=1)
THAL_INTERVAL_MAX_DAYS = env_int("THAL_INTERVAL_MAX_DAYS", 60, minimum=1)
THAL_MAX_UNITS_PER_TRANSFUSION = env_int("THAL_MAX_UNITS_PER_TRANSFUSION", 4, minimum=1)
THAL_PRESET_YOUNGER = (
    env_int("THAL_PRESET_YOUNGER_UNITS", 1, minimum=1),
    env_int("THAL_PRESET_YOUNGER_INTERVAL_DAYS", 21, minimum=1),
)
THAL_PRESET_OLDER = (
    env_int("THAL_PRESET_OLDER_UNITS", 2, minimum=1),
    env_int("THAL_PRESET_OLDER_INTERVAL_DAYS", 15, minimum=1),
)
# Pre-transfusion haemoglobin target band (g/dL, TIF-21): two recorded values in a row
# outside it flag the plan for review by the treating doctor.
THAL_HB_TARGET_LOW = env_decimal("THAL_HB_TARGET_LOW", "9.0")
THAL_HB_TARGET_HIGH = env_decimal("THAL_HB_TARGET_HIGH", "10.5")
# The "due soon" board's windows, in days.
THAL_DUE_WINDOWS = [int(d) for d in env_list("THAL_DUE_WINDOWS", ["7", "14", "30"])]
# Matching: requests counted as "recent" over this many days; living blood bank members are
# preferred when the transfusion is this close; at most this many suggestions.
THAL_RECENT_REQUEST_DAYS = env_int("THAL_RECENT_REQUEST_DAYS", 90, minimum=1)
THAL_LIVING_BANK_HOURS = env_int("THAL_LIVING_BANK_HOURS", 48, minimum=0)
THAL_MATCH_LIMIT = env_int("THAL_MATCH_LIMIT", 20, minimum=1)
# Matching ranks at most this many donors pre-sorted by the database (identical group,
# circle, longest rest), so a force of 100,000 donors costs bounded memory.
THAL_MATCH_CANDIDATES = env_int("THAL_MATCH_CANDIDATES", 300, minimum=10)
# The guardian-consent notice a child's registration agrees to; bump it when the text changes.
THAL_CONSENT_VERSION = env_str("THAL_CONSENT_VERSION", "2026-11")

# --- Dashboard --------------------------------------------------------------------------
# Forecast horizons shown on the dashboard (units needed against donors eligible by then).
DASHBOARD_FORECAST_DAYS = [int(d) for d in env_list("DASHBOARD_FORECAST_DAYS", ["30", "90"])]
# The longest forecast the API answers (dashboard/forecast/?days=N), in days.
DASHBOARD_FORECAST_MAX_DAYS = env_int("DASHBOARD_FORECAST_MAX_DAYS", 730, minimum=1)
# Children due within this many days with no confirmed donor are listed as at risk.
DASHBOARD_AT_RISK_DAYS = env_int("DASHBOARD_AT_RISK_DAYS", 7, minimum=0)
# The longest date range the dashboard totals accept, in days (about ten years).
DASHBOARD_MAX_RANGE_DAYS = env_int("DASHBOARD_MAX_RANGE_DAYS", 3660, minimum=1)
# Supply risk: a group whose eligible donors cover fewer weeks of need than this is flagged.
DASHBOARD_RISK_WEEKS = env_int("DASHBOARD_RISK_WEEKS", 4, minimum=1)
# The page's "Units by camp" table lists this many camps, the most units first; the CSV and
# XLSX exports list every camp (a state holds 20,000 in five years).
DASHBOARD_CAMPS_SHOWN = env_int("DASHBOARD_CAMPS_SHOWN", 30, minimum=1)

# --- Reminders (DOMAIN.md §3) ------------------------------------------------------------
# Days before a due transfusion the guardian is told, days ahead the coordinators' digest
# looks, days before a planned camp pledged donors hear of it.
THAL_REMINDER_DAYS_BEFORE = env_int("THAL_REMINDER_DAYS_BEFORE", 3, minimum=1)
THAL_DIGEST_DAYS = env_int("THAL_DIGEST_DAYS", 7, minimum=1)
# The local hour from which the day's digest is written.
THAL_DIGEST_HOUR = env_int("THAL_DIGEST_HOUR", 7, minimum=0)
# Days back the "you can donate again" scan looks after downtime.
DONOR_ELIGIBLE_LOOKBACK_DAYS = env_int("DONOR_ELIGIBLE_LOOKBACK_DAYS", 3, minimum=0)
CAMP_ANNOUNCE_DAYS_BEFORE = env_int("CAMP_ANNOUNCE_DAYS_BEFORE", 7, minimum=1)
# Hours a confirm/decline link in a donor's request stays valid.
THAL_CONFIRM_LINK_HOURS = env_int("THAL_CONFIRM_LINK_HOURS", 72, minimum=1)
# The call desk: children due within this many days without a confirmed donor (and their
# donors who declined, not replaced), donors asked this many hours ago and silent, donors
# proposed or asked with no answer this many hours before the day they are to give, and
# how far ahead a follow-up day may be set.
CALLDESK_DUE_DAYS = env_int("CALLDESK_DUE_DAYS", 7, minimum=1)
CALLDESK_SILENT_HOURS = env_int("CALLDESK_SILENT_HOURS", 24, minimum=1)
CALLDESK_ANSWER_HOURS = env_int("CALLDESK_ANSWER_HOURS", 48, minimum=1)
CALLDESK_FOLLOW_UP_MAX_DAYS = env_int("CALLDESK_FOLLOW_UP_MAX_DAYS", 60, minimum=1)

# --- Emergency requests: the living blood bank (issue 15) -------------------------------
# Donors asked per wave, minutes between two waves (until enough have confirmed), the most
# units one request may ask for, and how far ahead its "needed by" may lie.
EMERGENCY_WAVE_SIZE = env_int("EMERGENCY_WAVE_SIZE", 10, minimum=1)
EMERGENCY_WAVE_MINUTES = env_int("EMERGENCY_WAVE_MINUTES", 15, minimum=0)
EMERGENCY_MAX_UNITS = env_int("EMERGENCY_MAX_UNITS", 20, minimum=1)
EMERGENCY_MAX_HOURS_AHEAD = env_int("EMERGENCY_MAX_HOURS_AHEAD", 72, minimum=1)
